// Server-certificate issuance without HTTP, through the code an approved order runs
// (bench/README.md, "Issuance, exports, start-up and memory"): the CSR checks against the key
// blocklist, the organisation's subject, then the CA's build → profile check → sign → store →
// audit, on the demo's database and its issuing CA (the key type of `mijncert init-dev`, or
// whatever the configuration names). Prints issuances per second of wall time and of CPU time
// for one run; bench/micro.sh sets it beside `openssl speed`.
// Run: build/bench/issuance_bench --config DEMO/mijncert.toml [--organisation ID]
//        [--seconds S] CSR.pem…

#include "app/config.hpp"
#include "audit/audit_record.hpp"
#include "bench/micro_support.hpp"
#include "ca/certificate_authority.hpp"
#include "ca/issuer_settings.hpp"
#include "core/clock.hpp"
#include "pki/crypto.hpp"
#include "policy/csr_rules.hpp"
#include "storage/blocked_keys.hpp"
#include "storage/certificate_store.hpp"
#include "storage/registry_repository.hpp"

#include <cstdint>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

template <class T>
T checked(core::Result<T> result, const char* what) {
  if (!result) throw std::runtime_error(std::string(what) + ": " + result.error().message);
  return std::move(*result);
}

}  // namespace

int main(int argc, char** argv) {
  return bench::runProgram(
      "issuance_bench", "issuance_bench --config FILE [--organisation ID] [--seconds S] CSR.pem…",
      [&] {
        const auto arguments =
            bench::parseArguments(argc, argv, {"--config", "--organisation", "--seconds"});
        if (arguments.files.empty()) throw std::invalid_argument("no CSR files");
        std::vector<std::string> csrs;
        for (const auto& file : arguments.files) csrs.push_back(bench::readFile(file));
        const auto organisation_id = std::stoll(arguments.optional("--organisation", "1"));
        const double seconds = std::stod(arguments.optional("--seconds", "3"));

        // Wired as `mijncert serve` wires the CA (src/app/commands.cpp).
        const app::Config config = app::loadConfig(arguments.required("--config"));
        auto database =
            checked(storage::Database::open(config.database_url, config.database), "database");
        core::SystemClock clock;
        pki::SystemRandom random;
        auto issuers = checked(ca::OpenedIssuers::open(config.ca.issuers), "ca");
        storage::CertificateStore store(*database, clock);
        storage::BlockedKeyRepository blocked_keys(*database, clock);
        const policy::DebianWeakKeys weak_keys;
        const ca::KeyCheck key_check(blocked_keys, weak_keys);
        ca::CertificateAuthority authority(issuers.issuers(), config.ca.products, store, key_check,
                                           clock, random);
        storage::RegistryRepository registry(*database, clock);
        const auto actor = audit::Actor::system("issuance_bench");

        const auto rate = bench::ratePerSecond(seconds, [&](std::size_t i) {
          // What ServerOrders reads per order: the blocklist and the CSR (at ordering), the
          // organisation (at issuance).
          const auto csr =
              checked(key_check.checkServerCsr(bench::bytesOf(csrs[i % csrs.size()])), "csr");
          const auto organisation =
              checked(registry.findOrganisation(organisation_id), "organisation");
          if (!organisation) throw std::runtime_error("no such organisation");
          const std::string common_name = csr.common_name.value_or(csr.dns_names.front());
          checked(
              authority.issue({.product = "server-private",
                               .subject = {{"C", "NL"},
                                           {"O", organisation->name},
                                           {"organizationIdentifier", "NTRNL-" + organisation->kvk},
                                           {"CN", common_name}},
                               .dns_names = csr.dns_names,
                               .owner = {.organisation = organisation_id}},
                              csr.public_key, actor),
              "issue");
        });
        std::cout << rate.wall << " " << rate.cpu << "\n";
        return 0;
      });
}
