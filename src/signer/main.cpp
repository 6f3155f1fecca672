// mijncert-signer: the reference app of docs/mobile-protocol.md (enrolment, login and signing
// requests), also a desktop signer for PEM, PKCS#12 and PKCS#11 (smartcard) keys.

#include "signer/commands.hpp"

#include <exception>
#include <iostream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  try {
    return signer::run(args, std::cin, std::cout, std::cerr);
  } catch (const std::exception& e) {
    std::cerr << "mijncert-signer: " << e.what() << "\n";
    return 1;
  }
}
