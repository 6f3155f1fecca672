#include "ca/product_profile.hpp"

#include "pki/certificate.hpp"
#include "policy/registry_rules.hpp"

#include <algorithm>
#include <chrono>
#include <regex>
#include <set>

namespace ca {
namespace {

using namespace std::chrono_literals;

using dev_policy::kAuthenticationPolicy;
using dev_policy::kEncryptionPolicy;
using dev_policy::kServerPolicy;
using dev_policy::kSignaturePolicy;

// Three certificates per card (PKIoverheid "authenticiteit", "onweerlegbaarheid",
// "vertrouwelijkheid"), each with its own key usage.
struct CardUse {
  std::string suffix;
  std::vector<std::string> key_usage;
  std::vector<std::string> rsa_key_usage;
  std::vector<std::string> extended_key_usage;
  std::string policy;
};

const std::vector<CardUse>& cardUses() {
  static const std::vector<CardUse> uses{
      {"authentication",
       {"digitalSignature"},
       {"digitalSignature"},
       {"clientAuth", "emailProtection"},
       kAuthenticationPolicy},
      // RFC 5280 §4.2.1.3: nonRepudiation (contentCommitment) alone for signing certificates.
      {"signature", {"nonRepudiation"}, {"nonRepudiation"}, {"emailProtection"}, kSignaturePolicy},
      // Encryption: key agreement for EC keys, key transport for RSA keys.
      {"encryption", {"keyAgreement"}, {"keyEncipherment"}, {"emailProtection"}, kEncryptionPolicy},
  };
  return uses;
}

ProductProfile cardProfile(const std::string& product, core::CertificateKind kind,
                           const CardUse& use, std::vector<std::string> required,
                           std::vector<std::string> optional) {
  ProductProfile p;
  p.name = product + "-" + use.suffix;
  p.kind = kind;
  p.issuing_ca = "persons-ca";
  p.required_subject = std::move(required);
  p.optional_subject = std::move(optional);
  p.key_usage = use.key_usage;
  p.rsa_key_usage = use.rsa_key_usage;
  p.extended_key_usage = use.extended_key_usage;
  p.policy_oids = {use.policy};
  p.term_days = 1095;          // cards: 3 years
  p.max_validity_days = 1826;  // PKIoverheid PvE: at most 5 years
  p.email_addresses = true;
  return p;
}

core::FieldError problem(std::string field, std::string message) {
  return {std::move(field), std::move(message)};
}

std::string listed(const std::vector<std::string>& items) {
  std::string text;
  for (const auto& item : items) text += (text.empty() ? "" : ", ") + item;
  return "{" + text + "}";
}

void expectSet(std::vector<core::FieldError>& problems, const std::string& field,
               const std::vector<std::string>& actual, const std::vector<std::string>& expected) {
  if (std::set(actual.begin(), actual.end()) != std::set(expected.begin(), expected.end()) ||
      actual.size() != expected.size()) {
    problems.push_back(
        problem(field, "is " + listed(actual) + ", profile says " + listed(expected)));
  }
}

const std::string* subjectValue(const pki::CertificateContents& contents, const std::string& type) {
  for (const auto& entry : contents.subject)
    if (entry.type == type) return &entry.value;
  return nullptr;
}

void checkSubject(std::vector<core::FieldError>& problems, const pki::CertificateContents& c,
                  const ProductProfile& profile) {
  std::set<std::string> seen;
  for (const auto& entry : c.subject) {
    const bool known =
        std::count(profile.required_subject.begin(), profile.required_subject.end(), entry.type) +
            std::count(profile.optional_subject.begin(), profile.optional_subject.end(),
                       entry.type) >
        0;
    if (!known) problems.push_back(problem("subject." + entry.type, "not allowed by the profile"));
    if (!seen.insert(entry.type).second)
      problems.push_back(problem("subject." + entry.type, "appears more than once"));
    // ETSI EN 319 412-2 / G4 profiles: attribute values of 1–64 characters (CN: ub-common-name).
    if (entry.value.empty() || entry.value.size() > 64)
      problems.push_back(problem("subject." + entry.type, "must be 1–64 characters"));
  }
  for (const auto& type : profile.required_subject)
    if (!seen.contains(type)) problems.push_back(problem("subject." + type, "is missing"));
  if (const std::string* country = subjectValue(c, "C");
      country && !policy::isCountryCode(*country))
    problems.push_back(problem("subject.C", "is not an ISO 3166 country code"));
  // ETSI EN 319 412-1 §5.1.4: "NTR" + country + "-" + the trade register number (KvK: 8 digits).
  static const std::regex kOrganisationIdentifier("NTRNL-[0-9]{8}");
  if (const std::string* id = subjectValue(c, "organizationIdentifier");
      id && !std::regex_match(*id, kOrganisationIdentifier)) {
    problems.push_back(problem("subject.organizationIdentifier", "must be NTRNL-<KvK number>"));
  }
}

void checkNames(std::vector<core::FieldError>& problems, const pki::CertificateContents& c,
                const ProductProfile& profile) {
  const int count = static_cast<int>(c.dns_names.size());
  if (count < profile.min_dns_names || count > profile.max_dns_names) {
    problems.push_back(problem("subjectAltName", "needs " + std::to_string(profile.min_dns_names) +
                                                     "–" + std::to_string(profile.max_dns_names) +
                                                     " DNS names"));
  }
  for (const std::string& name : c.dns_names) {
    // PRODUCT.md §8 / BR §7.1.4.2.1: fully qualified names only; no wildcards, no IP addresses.
    if (!policy::isDomainName(name) || name != policy::canonicalDomainName(name))
      problems.push_back(problem("subjectAltName", "invalid DNS name " + name));
  }
  if (!c.ip_addresses.empty())
    problems.push_back(problem("subjectAltName", "IP addresses are not allowed"));
  if (!c.other_names.empty())
    problems.push_back(problem("subjectAltName", "unsupported name types"));
  if (!profile.email_addresses && !c.email_addresses.empty())
    problems.push_back(problem("subjectAltName", "e-mail addresses are not allowed"));
  const std::set<std::string> names(c.dns_names.begin(), c.dns_names.end());
  if (const std::string* cn = subjectValue(c, "CN");
      profile.common_name_in_dns_names && cn && !names.contains(*cn)) {
    problems.push_back(problem("subject.CN", "must be one of the DNS names"));
  }
  if (names.size() != c.dns_names.size())
    problems.push_back(problem("subjectAltName", "lists a name twice"));
}

void checkValidity(std::vector<core::FieldError>& problems, const pki::CertificateContents& c,
                   const ProductProfile& profile, const CheckContext& context) {
  if (c.not_after <= c.not_before) problems.push_back(problem("validity", "ends before it starts"));
  // RFC 5280 §4.1.2.5: the validity is inclusive of notAfter, hence the extra second.
  if (c.not_after - c.not_before + 1s > std::chrono::days{profile.max_validity_days} + 1s)
    problems.push_back(
        problem("validity", "longer than " + std::to_string(profile.max_validity_days) + " days"));
  if (c.not_after > context.issuer_not_after)
    problems.push_back(problem("validity", "ends after the issuing CA"));
  if (!context.allow_backdating && c.not_before < context.now - 1h)
    problems.push_back(problem("validity", "starts in the past"));
  if (c.not_before > context.now + 1h)
    problems.push_back(problem("validity", "starts in the future"));
}

}  // namespace

std::vector<ProductProfile> builtInProfiles() {
  ProductProfile server;
  server.name = "server-private";
  server.kind = core::CertificateKind::server;
  server.issuing_ca = "tls-ca";
  server.required_subject = {"C", "O", "organizationIdentifier", "CN"};
  server.key_usage = {"digitalSignature"};
  // G4 TLS: keyEncipherment for RSA keys (TLS 1.2 RSA key transport), never for EC keys.
  server.rsa_key_usage = {"digitalSignature", "keyEncipherment"};
  server.extended_key_usage = {"serverAuth", "clientAuth"};
  server.policy_oids = {kServerPolicy};
  server.min_dns_names = 1;
  server.max_dns_names = 100;
  server.common_name_in_dns_names = true;
  // A renewal ends at the old end plus the full term (PRODUCT.md §5 "Overlapping validity"):
  // the maximum leaves a year for renewing early before the extension is capped.
  server.max_validity_days = 1095;

  std::vector<ProductProfile> profiles{server};
  const std::vector<std::string> names{"GN", "SN", "serialNumber", "CN"};
  for (const CardUse& use : cardUses()) {
    std::vector<std::string> personal{"C", "O"};
    personal.insert(personal.end(), names.begin(), names.end());
    profiles.push_back(cardProfile("personal", core::CertificateKind::personal, use, personal,
                                   {"organizationIdentifier", "title"}));
    profiles.push_back(cardProfile("group", core::CertificateKind::group, use,
                                   {"C", "O", "organizationIdentifier", "CN"}, {"OU"}));
    std::vector<std::string> professional{"C", "title"};
    professional.insert(professional.end(), names.begin(), names.end());
    profiles.push_back(
        cardProfile("professional", core::CertificateKind::professional, use, professional, {"O"}));
  }
  ProductProfile mobile = cardProfile("mobile", core::CertificateKind::mobile, cardUses().front(),
                                      {"C", "GN", "SN", "serialNumber", "CN"},
                                      {"O", "organizationIdentifier", "title"});
  mobile.term_days = 730;
  mobile.max_validity_days = 730;
  profiles.push_back(mobile);
  return profiles;
}

const ProductProfile* findProfile(const std::vector<ProductProfile>& profiles,
                                  const std::string& name) {
  const auto found = std::find_if(profiles.begin(), profiles.end(),
                                  [&](const ProductProfile& p) { return p.name == name; });
  return found == profiles.end() ? nullptr : &*found;
}

core::Result<void> checkProfile(const pki::CertificateContents& c, const ProductProfile& profile,
                                const CheckContext& context) {
  std::vector<core::FieldError> problems;
  // RFC 5280 §4.1.2.2 and BR §7.1: positive, at most 20 octets, ≥ 64 bits of CSPRNG output.
  if (!c.serial_positive || c.serial_octets < 9 || c.serial_octets > 20)
    problems.push_back(problem("serial", "must be positive with 9–20 octets"));
  checkSubject(problems, c, profile);
  checkNames(problems, c, profile);
  checkValidity(problems, c, profile, context);
  // RFC 5280 §4.2.1.9: an end-entity certificate says cA=FALSE; PKIoverheid marks it critical.
  if (!c.has_basic_constraints || !c.basic_constraints_critical || c.is_ca)
    problems.push_back(problem("basicConstraints", "must be critical with cA=FALSE"));
  if (!c.key_usage_critical) problems.push_back(problem("keyUsage", "must be critical"));
  expectSet(problems, "keyUsage", c.key_usage,
            c.rsa_key ? profile.rsa_key_usage : profile.key_usage);
  expectSet(problems, "extendedKeyUsage", c.extended_key_usage, profile.extended_key_usage);
  expectSet(problems, "certificatePolicies", c.policy_oids, profile.policy_oids);
  if (problems.empty()) return {};
  return core::makeError(core::ErrorKind::invalid, "certificate.profile_mismatch",
                         std::move(problems));
}

core::Result<void> checkCertificate(std::string_view pem_or_der, const ProductProfile& profile,
                                    const CheckContext& context) {
  const bool pem = pem_or_der.find("-----BEGIN") != std::string_view::npos;
  auto certificate =
      pem ? pki::Certificate::fromPem(pem_or_der)
          : pki::Certificate::fromDer(std::span(
                reinterpret_cast<const std::uint8_t*>(pem_or_der.data()), pem_or_der.size()));
  if (!certificate) return certificate.error();
  return checkProfile(pki::readContents(*certificate), profile, context);
}

}  // namespace ca
