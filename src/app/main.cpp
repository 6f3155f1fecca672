// mijncert: the portal server and its administrative commands (API.md §Commands).

#include "app/commands.hpp"

#include <iostream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    return app::runCommand(args, std::cout, std::cerr);
  } catch (const std::exception& e) {
    std::cerr << "mijncert: " << e.what() << "\n";
    return 1;
  }
}
