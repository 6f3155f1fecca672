#include "app/demo.hpp"

#include "app/dev_pki.hpp"
#include "audit/audit_record.hpp"
#include "core/clock.hpp"
#include "pki/crypto.hpp"
#include "storage/database.hpp"
#include "storage/registry_repository.hpp"

#include <fstream>
#include <map>
#include <sstream>

namespace app {

namespace fs = std::filesystem;

namespace {

// The demo people of PRODUCT.md §9. Their subject serialNumbers are the stable identifiers the
// registry knows them by.
const std::vector<DevPersonCertificate>& demoPeople() {
  static const std::vector<DevPersonCertificate> people{
      {"representative", "Willem", "van Dijk", "900000001", "Voorbeeld B.V.", "",
       "w.vandijk@voorbeeld.nl"},
      {"contact", "Sanne", "Jansen", "900000002", "Voorbeeld B.V.", "", "s.jansen@voorbeeld.nl"},
      {"manager", "Pieter", "Bakker", "900000003", "Voorbeeld B.V.", "", "p.bakker@voorbeeld.nl"},
      {"other", "Fatima", "El Amrani", "900000004", "Andere Organisatie B.V.", "",
       "f.elamrani@andere-organisatie.nl"},
      {"professional", "Eva", "de Boer", "900000005", "", "Notaris",
       "notaris@deboer-notarissen.nl"},
      {"servicedesk", "Johan", "Smit", "900000006", "MijnCertificaten DEV TSP", "",
       "j.smit@mijncertificaten.example"},
      {"stranger", "Kees", "Onbekend", "900000007", "", "", "kees@example.nl"},
      {"expired", "Lotte", "Verlopen", "900000008", "Voorbeeld B.V.", "", "l.verlopen@voorbeeld.nl",
       DevCertificateState::expired},
      {"revoked", "Daan", "Ingetrokken", "900000009", "Voorbeeld B.V.", "",
       "d.ingetrokken@voorbeeld.nl", DevCertificateState::revoked},
      {"foreign", "Alex", "Buitenland", "900000010", "Elders Ltd", "", "alex@elders.example",
       DevCertificateState::foreign},
      // Beyond §9: a contact of both organisations, who chooses which one they work for.
      {"both", "Noor", "Visser", "900000011", "", "", "noor@visser-ict.nl"},
  };
  return people;
}

core::Organisation voorbeeld() {
  core::Organisation o;
  o.name = "Voorbeeld B.V.";
  o.kvk = "12345678";
  o.oin = "00000001812345678000";
  o.visiting_address = {"Stationsplein 1", "3511 ED", "Utrecht", "NL"};
  o.postal_address = {"Postbus 1234", "3500 AA", "Utrecht", "NL"};
  o.billing = {{"Postbus 1234", "3500 AA", "Utrecht", "NL"},
               "Crediteurenadministratie",
               "facturen@voorbeeld.nl",
               "PO-2026-0042",
               "NL001234567B01"};
  o.portal_enabled = true;
  return o;
}

core::Organisation andere() {
  core::Organisation o;
  o.name = "Andere Organisatie B.V.";
  o.kvk = "87654321";
  o.oin = "00000001887654321000";
  o.visiting_address = {"Coolsingel 40", "3011 AD", "Rotterdam", "NL"};
  o.postal_address = o.visiting_address;
  o.billing = {{"Coolsingel 40", "3011 AD", "Rotterdam", "NL"},
               "Financiële administratie",
               "finance@andere-organisatie.nl",
               "",
               "NL009876543B01"};
  o.portal_enabled = true;
  return o;
}

// What Eva de Boer (the demo notary) gave at the application of her current card.
core::ProfessionalDetails notaryDetails(core::PersonId person) {
  return {.person = person,
          .registration_number = "KNB-2019-0142",
          .address = {"Herengracht 420", "1017 BZ", "Amsterdam", "NL"},
          .billing = {{"Postbus 1500", "1000 BM", "Amsterdam", "NL"},
                      "De Boer Notarissen",
                      "administratie@deboer-notarissen.nl",
                      "",
                      "NL812345678B01"}};
}

template <class T>
T check(core::Result<T> result, const char* what) {
  if (!result) throw std::runtime_error(std::string(what) + ": " + result.error().message);
  if constexpr (!std::is_void_v<T>) return std::move(*result);
}

// Registers organisations, persons, roles and certificate identities of the demo.
void seedRegistry(storage::Database& database, const DevPki& pki, const core::Clock& clock) {
  storage::RegistryRepository registry(database, clock);
  const auto actor = audit::Actor::system("init-dev");
  const auto voorbeeld_id =
      check(registry.createOrganisation(voorbeeld(), actor), "Voorbeeld B.V.");
  const auto andere_id = check(registry.createOrganisation(andere(), actor), "Andere Organisatie");
  check(registry.addValidatedDomain(voorbeeld_id, "voorbeeld.nl", actor), "domain");
  check(registry.addValidatedDomain(andere_id, "andere-organisatie.nl", actor), "domain");

  struct Registration {
    std::vector<std::pair<core::OrganisationId, core::Role>> roles;
    bool portal_access;
    bool servicedesk;
    std::string profession;
    std::string phone;
  };
  const std::map<std::string, Registration> registrations{
      {"representative",
       {{{voorbeeld_id, core::Role::representative}}, true, false, "", "+31 30 123 45 01"}},
      {"contact", {{{voorbeeld_id, core::Role::contact}}, true, false, "", "+31 30 123 45 02"}},
      {"manager", {{{voorbeeld_id, core::Role::manager}}, false, false, "", "+31 30 123 45 03"}},
      {"other", {{{andere_id, core::Role::contact}}, true, false, "", "+31 10 987 65 04"}},
      {"professional", {{}, true, false, "Notaris", "+31 20 555 01 05"}},
      {"servicedesk", {{}, true, true, "", "+31 88 661 00 00"}},
      {"expired", {{{voorbeeld_id, core::Role::contact}}, true, false, "", "+31 30 123 45 08"}},
      {"revoked", {{{voorbeeld_id, core::Role::contact}}, true, false, "", "+31 30 123 45 09"}},
      {"both",
       {{{voorbeeld_id, core::Role::contact}, {andere_id, core::Role::contact}},
        true,
        false,
        "",
        "+31 6 1234 5011"}},
  };
  const auto& people = demoPeople();
  for (std::size_t i = 0; i < people.size(); ++i) {
    const auto found = registrations.find(people[i].file_name);
    if (found == registrations.end()) continue;  // stranger and foreign are not registered
    const auto& r = found->second;
    core::Person person;
    person.given_name = people[i].given_name;
    person.surname = people[i].surname;
    person.email = people[i].email;
    person.phone = r.phone;
    person.portal_access = r.portal_access;
    person.servicedesk = r.servicedesk;
    person.professional = !r.profession.empty();
    person.profession = r.profession;
    const auto id = check(registry.createPerson(person, actor), "person");
    for (const auto& [organisation, role] : r.roles)
      check(registry.addRole(id, organisation, role, actor), "role");
    check(registry.addCertificateIdentity(id, pki.identities[i], actor), "identity");
    if (person.professional)
      check(registry.saveProfessionalDetails(notaryDetails(id), actor), "professional details");
  }
}

std::string tomlString(const std::string& value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

void writeConfig(const fs::path& dir, const DevPki& pki, const std::string& database_url,
                 const fs::path& static_dir) {
  std::ostringstream crls;
  for (const auto& crl : pki.crl_files)
    crls << (crls.tellp() > 0 ? ", " : "") << tomlString(fs::relative(crl, dir).string());
  std::ofstream out(dir / "mijncert.toml");
  out << "# MijnCertificaten development configuration, written by `mijncert init-dev`.\n"
         "# Relative paths are relative to this file. Reference: README.md, section "
         "Configuration.\n\n"
         "[server]\n"
         "listen = \"127.0.0.1:8443\"\n"
         "public_origin = \"https://localhost:8443\"\n"
         "threads = 4\n"
         "max_connections = 512\n"
         "max_header_bytes = 16384\n"
         "max_body_bytes = 1048576\n"
         "read_timeout_seconds = 30\n"
         "write_timeout_seconds = 30\n"
         "idle_timeout_seconds = 60\n"
         "shutdown_grace_seconds = 20\n"
      << "static_dir = " << tomlString(static_dir.string()) << "\n\n"
      << "[tls]\n"
      << "certificate_chain = "
      << tomlString(fs::relative(pki.server_certificate_chain, dir).string()) << "\n"
      << "private_key = " << tomlString(fs::relative(pki.server_private_key, dir).string()) << "\n"
      << "client_ca_bundle = " << tomlString(fs::relative(pki.client_ca_bundle, dir).string())
      << "\n"
      << "client_crls = [" << crls.str() << "]\n\n"
      << "[database]\n"
      << "url = " << tomlString(database_url) << "\n"
      << "pool_size = 8\n\n"
         "[session]\n"
         "idle_timeout_minutes = 15\n"
         "absolute_timeout_hours = 8\n\n"
         "[portal]\n"
         "demo = true\n\n"
         "[log]\n"
         "level = \"info\"\n";
  if (!out) throw std::runtime_error("cannot write " + (dir / "mijncert.toml").string());
}

// What init-dev creates inside DIR; --force removes exactly these, nothing else.
const std::vector<std::string> kDemoEntries{
    "pki", "tls", "users", "mijncert.toml", "mijncert.db", "mijncert.db-wal", "mijncert.db-shm"};

}  // namespace

core::Result<void> createDemo(const DemoOptions& options) {
  const fs::path dir = fs::absolute(options.dir);
  std::error_code ec;
  bool exists = false;
  for (const auto& entry : kDemoEntries) exists = exists || fs::exists(dir / entry, ec);
  if (exists && !options.force)
    return core::makeError(core::ErrorKind::conflict,
                           dir.string() +
                               " already holds a demo; nothing was changed. "
                               "Use --force to replace it.");
  if (options.force)
    for (const auto& entry : kDemoEntries) fs::remove_all(dir / entry, ec);
  fs::create_directories(dir, ec);
  if (ec)
    return core::makeError(core::ErrorKind::invalid,
                           "cannot create " + dir.string() + ": " + ec.message());

  try {
    core::SystemClock clock;
    pki::SystemRandom random;
    const auto pki = check(createDevPki(dir, demoPeople(), clock, random), "development PKI");
    const std::string url =
        options.database_url.value_or("sqlite:" + (dir / "mijncert.db").string());
    auto database = check(storage::Database::open(url, 2), "database");
    check(database->migrate(), "migrations");
    seedRegistry(*database, pki, clock);
    // The config names the SQLite file relative to itself, so the demo directory can be moved.
    writeConfig(dir, pki, options.database_url.value_or("sqlite:mijncert.db"), options.static_dir);
  } catch (const std::exception& e) {
    return core::makeError(core::ErrorKind::internal, e.what());
  }
  return {};
}

}  // namespace app
