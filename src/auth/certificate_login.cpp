#include "auth/certificate_login.hpp"

#include "policy/certificate_identity.hpp"

#include <boost/json.hpp>

namespace auth {

const char* toString(LoginRefusal refusal) {
  switch (refusal) {
    case LoginRefusal::no_certificate:
      return "no_certificate";
    case LoginRefusal::expired:
      return "expired";
    case LoginRefusal::revoked:
      return "revoked";
    case LoginRefusal::untrusted:
      return "untrusted";
    case LoginRefusal::wrong_usage:
      return "wrong_usage";
    case LoginRefusal::invalid:
      return "invalid";
    case LoginRefusal::unknown_person:
      return "unknown_person";
    case LoginRefusal::no_access:
      return "no_access";
  }
  return "invalid";
}

namespace {

LoginRefusal refusalFor(pki::PeerStatus status) {
  switch (status) {
    case pki::PeerStatus::none:
      return LoginRefusal::no_certificate;
    case pki::PeerStatus::expired:
      return LoginRefusal::expired;
    case pki::PeerStatus::revoked:
      return LoginRefusal::revoked;
    case pki::PeerStatus::untrusted:
      return LoginRefusal::untrusted;
    case pki::PeerStatus::wrong_usage:
      return LoginRefusal::wrong_usage;
    case pki::PeerStatus::trusted:  // not a refusal; callers never ask
    case pki::PeerStatus::invalid:
      return LoginRefusal::invalid;
  }
  return LoginRefusal::invalid;
}

// Certificates whose last audited login is remembered at once; far above a portal's users.
constexpr std::size_t kRememberedAudits = 100'000;

}  // namespace

core::Result<Identification> CertificateLogin::identify(const pki::PeerVerification& peer) {
  Identification result;
  if (peer.certificate) result.certificate_fingerprint = peer.certificate->sha256Fingerprint();
  if (peer.status != pki::PeerStatus::trusted || !peer.certificate) {
    result.refusal = refusalFor(peer.status);
    return result;
  }
  const auto writes = registry_.localWrites();
  if (auto known = remembered_.find(result.certificate_fingerprint, writes)) {
    result.principal = std::move(known->principal);
    result.refusal = known->refusal;
    return result;
  }
  const auto identity = policy::identityOf(*peer.certificate);
  if (!identity) {
    result.refusal = LoginRefusal::unknown_person;
    return result;
  }
  auto principal = registry_.findPrincipalByCertificate(*identity);
  if (!principal) return principal.error();
  if (!*principal) {
    result.refusal = LoginRefusal::unknown_person;
  } else if (!(*principal)->hasPortalAccess()) {
    result.refusal = LoginRefusal::no_access;
  } else {
    result.principal = std::move(**principal);
  }
  remembered_.remember(result.certificate_fingerprint,
                       {.principal = result.principal, .refusal = result.refusal}, writes);
  return result;
}

bool CertificateLogin::dueForAudit(const std::string& key, core::TimePoint now) {
  const std::lock_guard lock(audited_mutex_);
  // Bounded by the certificates seen within one interval; older entries are dropped when the
  // map grows, so a stream of ever new certificates cannot make it grow without end.
  if (audited_.size() >= kRememberedAudits)
    std::erase_if(audited_,
                  [&](const auto& entry) { return now - entry.second >= audit_interval_; });
  const auto [entry, inserted] = audited_.try_emplace(key, now);
  if (inserted) {
    // Full of certificates seen within the interval: audit anyway, without remembering.
    if (audited_.size() > kRememberedAudits) audited_.erase(entry);
    return true;
  }
  if (now - entry->second < audit_interval_) return false;
  entry->second = now;
  return true;
}

void CertificateLogin::forgetAudit(const std::string& key) {
  const std::lock_guard lock(audited_mutex_);
  audited_.erase(key);
}

core::Result<void> CertificateLogin::audit(const Identification& identification,
                                           const pki::PeerVerification& peer) {
  if (!peer.certificate) return {};
  const auto outcome = identification.principal ? "login" : toString(identification.refusal);
  const auto key = identification.certificate_fingerprint + "|" + outcome;
  const auto now = clock_.now();
  if (!dueForAudit(key, now)) return {};

  boost::json::object details{{"subject", peer.certificate->subjectDn()},
                              {"issuer", peer.certificate->issuerDn()},
                              {"serial", peer.certificate->serialHex()}};
  audit::Event event{
      .at = now, .actor = "anonymous", .action = "login", .object = "", .details = ""};
  if (identification.principal) {
    event.actor = audit::Actor::person(identification.principal->person.id).id;
    event.object = "person:" + std::to_string(identification.principal->person.id);
    details["method"] = "certificate";
  } else {
    event.action = "login.refused";
    details["reason"] = toString(identification.refusal);
    if (!peer.detail.empty()) details["verification"] = peer.detail;
  }
  event.details = boost::json::serialize(details);
  auto appended = audit_.append(event);
  if (!appended) {
    forgetAudit(key);  // not written: the next request tries again
    return appended.error();
  }
  return {};
}

core::Result<std::optional<core::Principal>> CertificateLogin::sessionPrincipal(
    core::PersonId person) {
  auto principal = registry_.findPrincipal(person);
  if (!principal) return principal.error();
  if (!*principal || !(*principal)->hasPortalAccess()) return std::optional<core::Principal>{};
  return principal;
}

}  // namespace auth
