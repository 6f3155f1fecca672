#include "app/demo.hpp"

#include "app/dev_pki.hpp"
#include "audit/audit_record.hpp"
#include "ca/certificate_authority.hpp"
#include "ca/issuer_settings.hpp"
#include "core/clock.hpp"
#include "pki/crypto.hpp"
#include "pki/key.hpp"
#include "pki/public_key.hpp"
#include "policy/weak_keys.hpp"
#include "storage/blocked_keys.hpp"
#include "storage/certificate_store.hpp"
#include "storage/database.hpp"
#include "storage/registry_repository.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

namespace app {

namespace fs = std::filesystem;

namespace {

// Where the demo portal is reached (server.public_origin); CRL URLs in certificates point here.
constexpr char kDemoOrigin[] = "https://localhost:8443";

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

// The registry ids the demo certificates are linked to.
struct DemoIds {
  core::OrganisationId voorbeeld = 0;
  core::OrganisationId andere = 0;
  std::map<std::string, core::PersonId> persons;  ///< by DevPersonCertificate::file_name
};

// Registers organisations, persons, roles and certificate identities of the demo.
DemoIds seedRegistry(storage::Database& database, const DevPki& pki, const core::Clock& clock) {
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
  DemoIds ids{voorbeeld_id, andere_id, {}};
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
    ids.persons[people[i].file_name] = id;
    for (const auto& [organisation, role] : r.roles)
      check(registry.addRole(id, organisation, role, actor), "role");
    check(registry.addCertificateIdentity(id, pki.identities[i], actor), "identity");
    if (person.professional)
      check(registry.saveProfessionalDetails(notaryDetails(id), actor), "professional details");
  }
  return ids;
}

// The demo's issuing CAs: the dev PKI's TSP CAs, keys in PEM files, CRLs where the login
// check reads them, published at /crl/<name>.crl. Long-lived CRLs keep an idle demo working.
std::vector<ca::IssuerSettings> demoIssuers(const fs::path& dir, const std::string& origin) {
  std::vector<ca::IssuerSettings> issuers;
  for (const std::string name : {"persons-ca", "tls-ca"}) {
    ca::IssuerSettings issuer;
    issuer.name = name;
    issuer.certificate_file = dir / "pki" / (name + ".crt");
    issuer.key_file = dir / "pki" / (name + ".key");
    issuer.chain_file = dir / "pki" / (name + "-chain.pem");
    issuer.crl_file = dir / "pki" / "crl" / (name + ".crl");
    issuer.crl_validity = std::chrono::hours{365 * 24};
    issuer.crl_url = origin + "/crl/" + name + ".crl";
    issuers.push_back(issuer);
  }
  return issuers;
}

// Issues the demo's certificates and cards through the CA (PRODUCT.md §9), with dates spread
// so that every status shows up: valid, expiring within 30/60 days, expired, revoked.
class DemoCertificates {
 public:
  DemoCertificates(ca::CertificateAuthority& authority, storage::CertificateStore& store,
                   const DemoIds& ids, core::TimePoint now)
      : ca_(authority), store_(store), ids_(ids), now_(now) {}

  // ≥ 25 server certificates for Voorbeeld B.V., a few for Andere Organisatie B.V.
  void serverCertificates() {
    const std::vector<std::string> hosts{"www",    "api",   "portal",  "mail",  "vpn",  "intranet",
                                         "shop",   "login", "files",   "git",   "ci",   "monitor",
                                         "backup", "dns1",  "webmail", "crm",   "erp",  "hr",
                                         "wiki",   "chat",  "status",  "docs",  "test", "acc",
                                         "sso",    "cdn",   "blog",    "remote"};
    for (std::size_t i = 0; i < hosts.size(); ++i) {
      const auto requested_by = person(i % 2 == 0 ? "contact" : "representative");
      const auto id = server(ids_.voorbeeld, "12345678", "Voorbeeld B.V.", hosts[i], "voorbeeld.nl",
                             i, {ids_.voorbeeld, {}, {}, person("manager"), requested_by});
      if (i % 7 == 2) revoke(id);
    }
    const std::vector<std::string> andere_hosts{"www", "api", "mail", "portal"};
    for (std::size_t i = 0; i < andere_hosts.size(); ++i) {
      server(ids_.andere, "87654321", "Andere Organisatie B.V.", andere_hosts[i],
             "andere-organisatie.nl", i, {ids_.andere, {}, {}, {}, person("other")});
    }
  }

  // Personal and group cards (one of each ending within 60 days), the professional's card.
  void cards() {
    personalCard("contact", "Voorbeeld B.V.", "Sanne", "Jansen", "900000002", 45);
    personalCard("representative", "Voorbeeld B.V.", "Willem", "van Dijk", "900000001", 500);
    groupCard(ids_.voorbeeld, "12345678", "Voorbeeld B.V.", "Afdeling Facturatie",
              "facturatie@voorbeeld.nl", 50, person("manager"), person("contact"));
    groupCard(ids_.voorbeeld, "12345678", "Voorbeeld B.V.", "Servicedesk ICT", "ict@voorbeeld.nl",
              400, person("manager"), person("representative"));
    personalCard("other", "Andere Organisatie B.V.", "Fatima", "El Amrani", "900000004", 300);
    groupCard(ids_.andere, "87654321", "Andere Organisatie B.V.", "Receptie",
              "receptie@andere-organisatie.nl", 200, {}, person("other"));
    const auto eva = person("professional");
    const auto card = newCard({.type = core::CardType::professional, .holder = eva});
    cardCertificates("professional", card, {.holder = eva, .card = card},
                     {{"C", "NL"},
                      {"title", "Notaris"},
                      {"GN", "Eva"},
                      {"SN", "de Boer"},
                      {"serialNumber", "900000005"},
                      {"CN", "Eva de Boer"}},
                     {"notaris@deboer-notarissen.nl"}, 40);
  }

  // The `revoked` person's login certificate: recorded and revoked, so the regenerated CRL of
  // the persons CA keeps listing it and that person still cannot log in.
  void revokedLogin(const fs::path& certificate_file) {
    std::ifstream in(certificate_file);
    std::stringstream pem;
    pem << in.rdbuf();
    const auto adopted = check(ca_.adopt(pem.str(), "personal-authentication",
                                         {ids_.voorbeeld, person("revoked"), {}, {}, {}}, actor_),
                               "revoked login certificate");
    revoke(adopted.id);
  }

 private:
  std::optional<core::PersonId> person(const std::string& name) const {
    const auto found = ids_.persons.find(name);
    return found == ids_.persons.end() ? std::nullopt : std::optional{found->second};
  }

  // Dates by position: every 7th expired, the next expiring within 30 days, the rest valid with
  // spread end dates. Backdated starts need the demo-only option.
  std::pair<core::TimePoint, core::TimePoint> serverDates(std::size_t i) const {
    const auto day = std::chrono::days{1};
    const int n = static_cast<int>(i);
    if (i % 7 == 0) return {now_ - (400 + n) * day, now_ - (5 + n) * day};
    if (i % 7 == 1) return {now_ - (720 - n) * day, now_ + (10 + n % 20) * day};
    return {now_ - (20 * n) * day, now_ - (20 * n) * day + 730 * day};
  }

  core::CertificateId server(core::OrganisationId organisation, const std::string& kvk,
                             const std::string& name, const std::string& host,
                             const std::string& domain, std::size_t i, ca::Ownership owner) {
    const std::string cn = host + "." + domain;
    std::vector<std::string> names{cn};
    for (const std::string extra : {"alt", "backup", "edge"}) {
      if (names.size() > i % 4) break;
      names.push_back(host + "-" + extra + "." + domain);
    }
    const auto [not_before, not_after] = serverDates(i);
    owner.organisation = organisation;
    ca::IssuanceRequest request{.product = "server-private",
                                .subject = {{"C", "NL"},
                                            {"O", name},
                                            {"organizationIdentifier", "NTRNL-" + kvk},
                                            {"CN", cn}},
                                .dns_names = names,
                                .owner = owner,
                                .not_before = not_before,
                                .not_after = not_after,
                                .demo_backdating = true};
    return issue(request).id;
  }

  core::CardId newCard(const core::Card& card) {
    return check(store_.createCard(card, actor_), "card");
  }

  // Authentication, signature and encryption certificates on one card, ending in `days`.
  void cardCertificates(const std::string& product, core::CardId card, ca::Ownership owner,
                        const std::vector<pki::SubjectAttribute>& subject,
                        const std::vector<std::string>& emails, int days) {
    owner.card = card;
    const core::TimePoint not_after = now_ + std::chrono::days{days};
    for (const std::string use : {"authentication", "signature", "encryption"}) {
      issue({.product = product + "-" + use,
             .subject = subject,
             .email_addresses = emails,
             .owner = owner,
             .not_before = std::min(now_, not_after - std::chrono::days{1095}),
             .not_after = not_after,
             .demo_backdating = true});
    }
  }

  void personalCard(const std::string& who, const std::string& organisation,
                    const std::string& given_name, const std::string& surname,
                    const std::string& serial, int days) {
    const auto holder = person(who);
    const auto organisation_id = organisation == "Voorbeeld B.V." ? ids_.voorbeeld : ids_.andere;
    const auto card = newCard(
        {.type = core::CardType::personal, .organisation = organisation_id, .holder = holder});
    const auto& people = demoPeople();
    const auto entry =
        std::find_if(people.begin(), people.end(),
                     [&](const DevPersonCertificate& p) { return p.file_name == who; });
    cardCertificates("personal", card, {.organisation = organisation_id, .holder = holder},
                     {{"C", "NL"},
                      {"O", organisation},
                      {"GN", given_name},
                      {"SN", surname},
                      {"serialNumber", serial},
                      {"CN", given_name + " " + surname}},
                     {entry->email}, days);
  }

  void groupCard(core::OrganisationId organisation, const std::string& kvk, const std::string& name,
                 const std::string& group, const std::string& email, int days,
                 std::optional<core::PersonId> manager,
                 std::optional<core::PersonId> requested_by) {
    const auto card = newCard({.type = core::CardType::group,
                               .organisation = organisation,
                               .group_name = group,
                               .manager = manager,
                               .requested_by = requested_by});
    cardCertificates(
        "group", card,
        {.organisation = organisation, .manager = manager, .requested_by = requested_by},
        {{"C", "NL"}, {"O", name}, {"organizationIdentifier", "NTRNL-" + kvk}, {"CN", group}},
        {email}, days);
  }

  core::IssuedCertificate issue(const ca::IssuanceRequest& request) {
    // ECDSA P-256 leaves: fast to generate, so init-dev stays quick.
    const auto key = pki::PrivateKey::generate(pki::KeyType::ec_p256);
    return check(ca_.issue(request, pki::PublicKey::of(key), actor_), request.product.c_str());
  }

  void revoke(core::CertificateId id) { check(ca_.revoke(id, "keyCompromise", actor_), "revoke"); }

  ca::CertificateAuthority& ca_;
  storage::CertificateStore& store_;
  const DemoIds& ids_;
  core::TimePoint now_;
  const audit::Actor actor_ = audit::Actor::system("init-dev");
};

// Issues the demo certificates and (re)writes the CRLs of the issuing CAs.
void issueDemoCertificates(storage::Database& database, const fs::path& dir, const DemoIds& ids,
                           const core::Clock& clock, core::RandomSource& random) {
  const auto issuers = check(ca::OpenedIssuers::open(demoIssuers(dir, kDemoOrigin)), "issuers");
  storage::CertificateStore store(database, clock);
  storage::BlockedKeyRepository blocked_keys(database, clock);
  const policy::DebianWeakKeys weak_keys;  // the demo's keys are fresh; its list starts empty
  const ca::KeyCheck key_check(blocked_keys, weak_keys);
  ca::CertificateAuthority authority(issuers.issuers(), ca::builtInProfiles(), store, key_check,
                                     clock, random);
  DemoCertificates demo(authority, store, ids, clock.now());
  demo.serverCertificates();
  demo.cards();
  demo.revokedLogin(dir / "users" / "revoked.crt");
  for (const auto& issuer : issuers.issuers()) check(authority.publishCrl(issuer.name), "CRL");
}

std::string tomlString(const std::string& value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

// The chain above each issuing CA (intermediate, root), offered with every certificate it issues.
void writeIssuerChains(const fs::path& dir) {
  const auto pki = dir / "pki";
  for (const auto& [ca_name, intermediate] : {std::pair{"persons-ca", "persons-intermediate-ca"},
                                              std::pair{"tls-ca", "tls-intermediate-ca"}}) {
    std::ofstream out(pki / (std::string(ca_name) + "-chain.pem"), std::ios::binary);
    for (const auto& part : {pki / (std::string(intermediate) + ".crt"), pki / "root-ca.crt"})
      out << std::ifstream(part, std::ios::binary).rdbuf();
    if (!out) throw std::runtime_error("cannot write the chain of " + std::string(ca_name));
  }
}

// `[ca]` with the demo's issuers, paths relative to the config file.
std::string caConfig(const fs::path& dir) {
  std::ostringstream out;
  out << "[ca]\n"
         "stale_issuance_minutes = 15\n"
         "weak_keys_file = \"debian-weak-keys.txt\"\n";
  for (const auto& issuer : demoIssuers(dir, kDemoOrigin)) {
    out << "\n[[ca.issuers]]\n"
        << "name = " << tomlString(issuer.name) << "\n"
        << "certificate = " << tomlString(fs::relative(issuer.certificate_file, dir).string())
        << "\n"
        << "key_file = " << tomlString(fs::relative(issuer.key_file, dir).string()) << "\n"
        << "chain_file = " << tomlString(fs::relative(issuer.chain_file, dir).string()) << "\n"
        << "crl_file = " << tomlString(fs::relative(issuer.crl_file, dir).string()) << "\n"
        << "crl_validity_days = " << issuer.crl_validity.count() / 24 << "\n"
        << "crl_url = " << tomlString(issuer.crl_url) << "\n";
  }
  return out.str();
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
         "public_origin = \""
      << kDemoOrigin
      << "\"\n"
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
         "# The demo card bureau: it makes the cards' keys itself, as files in cards/ (demo "
         "only).\n"
         "[cards]\n"
         "bureau = \"demo\"\n"
         "demo_dir = \"cards\"\n\n"
         "[log]\n"
         "level = \"info\"\n\n"
      << caConfig(dir);
  if (!out) throw std::runtime_error("cannot write " + (dir / "mijncert.toml").string());
}

// What init-dev creates inside DIR; --force removes exactly these, nothing else.
const std::vector<std::string> kDemoEntries{"pki",
                                            "tls",
                                            "users",
                                            "cards",
                                            "mijncert.toml",
                                            "mijncert.db",
                                            "mijncert.db-wal",
                                            "mijncert.db-shm",
                                            "debian-weak-keys.txt"};

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
    writeIssuerChains(dir);
    const std::string url =
        options.database_url.value_or("sqlite:" + (dir / "mijncert.db").string());
    auto database = check(storage::Database::open(url, 2), "database");
    check(database->migrate(), "migrations");
    const DemoIds ids = seedRegistry(*database, pki, clock);
    issueDemoCertificates(*database, dir, ids, clock, random);
    // The config names the SQLite file relative to itself, so the demo directory can be moved.
    writeConfig(dir, pki, options.database_url.value_or("sqlite:mijncert.db"), options.static_dir);
    // An empty Debian weak-key list (ADR 0024): `mijncert keys import-weak` fills it.
    std::ofstream(dir / "debian-weak-keys.txt", std::ios::binary)
        << policy::DebianWeakKeys::kHeader;
  } catch (const std::exception& e) {
    return core::makeError(core::ErrorKind::internal, e.what());
  }
  return {};
}

}  // namespace app
