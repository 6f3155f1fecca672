#pragma once
// The subcommands of `mijncert`: init-dev, serve, migrate, audit verify.

#include <ostream>
#include <string>
#include <vector>

namespace app {

/// Runs the command line (without the program name); returns the process exit code.
/// Usage errors print help to `err` and return 2.
int runCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace app
