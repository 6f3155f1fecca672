// The CSR checks alone (bench/README.md, "Issuance, exports, start-up and memory"): parsing, the
// self-signature, the key rules with the weak-key tests (small factors, Fermat, ROCA) and the
// Servicedesk's blocklist, and the names, over CSRs made beforehand (bench/micro.sh makes RSA-3072
// ones). Prints checks per second of wall time and of CPU time for one run.
// Run: build/bench/csr_check_bench [--blocked N] [--seconds S] CSR.pem…

#include "bench/micro_support.hpp"
#include "pki/crypto.hpp"
#include "policy/csr_rules.hpp"

#include <cstdint>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  return bench::runProgram(
      "csr_check_bench", "csr_check_bench [--blocked N] [--seconds S] CSR.pem…", [&] {
        const auto arguments = bench::parseArguments(argc, argv, {"--blocked", "--seconds"});
        if (arguments.files.empty()) throw std::invalid_argument("no CSR files");
        std::vector<std::string> csrs;
        for (const auto& file : arguments.files) csrs.push_back(bench::readFile(file));
        const double seconds = std::stod(arguments.optional("--seconds", "3"));
        // A blocklist of the size a Servicedesk might keep (hashes of other keys).
        policy::KeyBlocklist blocklist;
        const int blocked = std::stoi(arguments.optional("--blocked", "10000"));
        for (int i = 0; i < blocked; ++i) blocklist.insert(pki::sha256Hex(std::to_string(i)));
        const policy::KnownBadKeys known{std::move(blocklist)};

        const auto rate = bench::ratePerSecond(seconds, [&](std::size_t i) {
          const std::string& csr = csrs[i % csrs.size()];
          const auto result = policy::checkCsr(bench::bytesOf(csr), known);
          if (!result) throw std::runtime_error("CSR refused: " + result.error().message);
        });
        std::cout << rate.wall << " " << rate.cpu << "\n";
        return 0;
      });
}
