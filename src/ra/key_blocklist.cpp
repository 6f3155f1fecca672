#include "ra/key_blocklist.hpp"

#include "pki/certificate.hpp"
#include "pki/certificate_request.hpp"
#include "pki/public_key.hpp"
#include "policy/access_rules.hpp"
#include "policy/registry_rules.hpp"

#include <algorithm>
#include <cctype>

namespace ra {

namespace {

core::Error invalidField(std::string field, std::string message) {
  return core::makeError(core::ErrorKind::invalid, "validation.failed",
                         {{std::move(field), std::move(message)}});
}

bool isSha256Hex(const std::string& text) {
  return text.size() == 64 && std::all_of(text.begin(), text.end(), [](unsigned char c) {
           return std::isdigit(c) || (c >= 'a' && c <= 'f');
         });
}

/// The SPKI hash of what was entered: a hash itself, or a certificate, CSR or public key (PEM).
core::Result<std::string> keyHashOf(const std::string& input) {
  std::string text = policy::trimmed(input);
  std::string lower = text;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return char(std::tolower(c)); });
  if (isSha256Hex(lower)) return lower;
  if (auto certificate = pki::Certificate::fromPem(text))
    return pki::PublicKey::ofCertificate(*certificate).sha256Hex();
  if (auto request = pki::CertificateRequest::fromPem(text))
    if (auto key = request->publicKey()) return key->sha256Hex();
  if (auto key = pki::PublicKey::fromPem(text)) return key->sha256Hex();
  return invalidField("key", "orders.blocklist.key_unreadable");
}

}  // namespace

core::Result<std::vector<storage::BlockedKey>> KeyBlocklist::list(const core::Principal& actor) {
  if (auto allowed = policy::permit(actor, policy::Action::work_in_servicedesk); !allowed)
    return allowed.error();
  return keys_.list();
}

core::Result<void> KeyBlocklist::block(const core::Principal& actor, const std::string& key,
                                       const std::string& reason) {
  if (auto allowed = policy::permit(actor, policy::Action::work_in_servicedesk); !allowed)
    return allowed.error();
  auto hash = keyHashOf(key);
  if (!hash) return hash.error();
  const std::string text = policy::trimmed(reason);
  if (text.empty() || text.size() > kMaxReasonLength)
    return invalidField("reason", "orders.blocklist.reason_required");
  auto added = keys_.add(*hash, text, actor.person.id, audit::Actor::person(actor.person.id));
  if (!added && added.error().message == "blocked_key.exists")
    return core::makeError(core::ErrorKind::conflict, "validation.failed",
                           {{"key", "orders.blocklist.exists"}});
  return added;
}

core::Result<void> KeyBlocklist::unblock(const core::Principal& actor,
                                         const std::string& spki_sha256) {
  if (auto allowed = policy::permit(actor, policy::Action::work_in_servicedesk); !allowed)
    return allowed.error();
  return keys_.remove(spki_sha256, audit::Actor::person(actor.person.id));
}

}  // namespace ra
