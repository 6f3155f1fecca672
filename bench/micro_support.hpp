#pragma once
// What the bench programs share beyond filling an inventory: their command-line options, the
// files they read, and a timed loop. A program prints one rate a run; bench/micro.sh runs it
// several times beside its baseline and takes the median (the machine is shared and noisy).

#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace bench {

/// "--name value" options and the words after them.
struct Arguments {
  std::map<std::string, std::string> options;
  std::vector<std::string> files;

  /// An option's value; throws std::invalid_argument naming it when it is missing.
  const std::string& required(const std::string& name) const;
  /// An option's value, or `fallback`.
  std::string optional(const std::string& name, const std::string& fallback) const;
};

/// Reads argv: options from `known` take a value; the rest are files. Throws
/// std::invalid_argument for an unknown option or one without a value.
Arguments parseArguments(int argc, char** argv, const std::vector<std::string>& known);

/// The whole content of a file; throws std::runtime_error naming it if it cannot be read.
std::string readFile(const std::string& path);

/// The bytes of a text (a CSR read from a file).
std::span<const std::uint8_t> bytesOf(const std::string& text);

/// Calls `step(i)` for i = 0, 1, … until `seconds` have passed (at least once); how many calls
/// per second of wall time.
double ratePerSecond(double seconds, const std::function<void(std::size_t)>& step);

/// Runs `program` (its main's work) and turns an exception into a message on stderr naming
/// `name`, and exit status 1 (2 with `usage` for wrong arguments).
int runProgram(const char* name, const char* usage, const std::function<int()>& program);

}  // namespace bench
