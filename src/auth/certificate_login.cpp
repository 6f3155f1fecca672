#include "auth/certificate_login.hpp"

#include "audit/untrusted_text.hpp"
#include "core/time_format.hpp"
#include "policy/certificate_identity.hpp"
#include "policy/login_certificate.hpp"

#include <boost/json.hpp>

#include <algorithm>

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
    case LoginRefusal::wrong_issuer:
      return "wrong_issuer";
    case LoginRefusal::not_personal:
      return "not_personal";
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
// What a client chose is stored at most this long (ADR 0022): a real subject or issuer DN of a
// PKIoverheid certificate takes about 250 bytes.
constexpr std::size_t kMaxNameBytes = 512;
constexpr std::size_t kMaxShortBytes = 128;

std::optional<LoginRefusal> refusalFor(policy::LoginCertificateProblem problem) {
  switch (problem) {
    case policy::LoginCertificateProblem::none:
      return std::nullopt;
    case policy::LoginCertificateProblem::wrong_issuer:
      return LoginRefusal::wrong_issuer;
    case policy::LoginCertificateProblem::not_personal:
      return LoginRefusal::not_personal;
  }
  return LoginRefusal::invalid;
}

// "10 minutes", "90 seconds".
std::string spoken(std::chrono::seconds window) {
  if (window.count() % 60 == 0) {
    const auto minutes = window.count() / 60;
    return std::to_string(minutes) + (minutes == 1 ? " minute" : " minutes");
  }
  return std::to_string(window.count()) + (window.count() == 1 ? " second" : " seconds");
}

// The details of a summary record: what the window held back, in numbers and in words.
boost::json::object summaryDetails(const RefusalSummary& summary, std::chrono::seconds window,
                                   core::TimePoint now) {
  boost::json::object details = summary.about;
  // At shutdown a window ends early: the text speaks of the time it really covered.
  const auto until = std::min(now, summary.since + window);
  const auto covered = spoken(until - summary.since);
  const std::string count = std::to_string(summary.held_back) +
                            (summary.held_back == 1 ? " further refusal" : " further refusals");
  std::string scope;
  switch (summary.scope) {
    case RefusalSummary::Scope::certificate:
      scope = "certificate";
      details["text"] = count + " of this certificate in the " + covered + " after it was recorded";
      break;
    case RefusalSummary::Scope::address:
      scope = "address";
      details["address"] = summary.key;
      details["text"] =
          count + " from this address in " + covered + ", beyond the records allowed per address";
      break;
    case RefusalSummary::Scope::node:
      scope = "node";
      details["text"] =
          count + " on this node in " + covered + ", beyond the records allowed per node";
      break;
  }
  details["scope"] = scope;
  details["refusals"] = summary.held_back;
  details["since"] = core::toIso8601(summary.since);
  details["until"] = core::toIso8601(until);
  return details;
}

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
  auto found = lookUp(*peer.certificate);
  if (!found) return found.error();
  result.principal = found->principal;
  result.refusal = found->refusal;
  remembered_.remember(result.certificate_fingerprint, std::move(*found), writes);
  return result;
}

core::Result<CertificateLogin::Remembered> CertificateLogin::lookUp(
    const pki::Certificate& certificate) {
  // A verified chain is not enough: only a person's certificate from a login CA (ADR 0022).
  if (const auto refused = refusalFor(policy::loginCertificateProblem(certificate, issuers_)))
    return Remembered{.principal = std::nullopt, .refusal = *refused};
  const auto identity = policy::identityOf(certificate);
  if (!identity)
    return Remembered{.principal = std::nullopt, .refusal = LoginRefusal::not_personal};
  auto principal = registry_.findPrincipalByCertificate(*identity);
  if (!principal) return principal.error();
  if (!*principal)
    return Remembered{.principal = std::nullopt, .refusal = LoginRefusal::unknown_person};
  if (!(*principal)->hasPortalAccess())
    return Remembered{.principal = std::nullopt, .refusal = LoginRefusal::no_access};
  return Remembered{.principal = std::move(**principal), .refusal = LoginRefusal::unknown_person};
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
                                           const pki::PeerVerification& peer,
                                           const RefusalSource& source) {
  if (!peer.certificate) return {};
  const auto now = clock_.now();
  if (identification.principal) return auditLogin(identification, peer, now);
  return auditRefusal(identification, peer, source, now);
}

core::Result<void> CertificateLogin::auditLogin(const Identification& identification,
                                                const pki::PeerVerification& peer,
                                                core::TimePoint now) {
  const auto& key = identification.certificate_fingerprint;
  if (!dueForAudit(key, now)) return {};
  // A certificate that logs someone in was issued by a login CA: nothing in it is a stranger's.
  const boost::json::object details{{"subject", peer.certificate->subjectDn()},
                                    {"issuer", peer.certificate->issuerDn()},
                                    {"serial", peer.certificate->serialHex()},
                                    {"method", "certificate"}};
  const auto person = identification.principal->person.id;
  auto appended = audit_.append({.at = now,
                                 .actor = audit::Actor::person(person).id,
                                 .action = "login",
                                 .object = audit::objectName("person", person),
                                 .details = boost::json::serialize(details)});
  if (!appended) {
    forgetAudit(key);  // not written: the next request tries again
    return appended.error();
  }
  return {};
}

core::Result<void> CertificateLogin::auditRefusal(const Identification& identification,
                                                  const pki::PeerVerification& peer,
                                                  const RefusalSource& source,
                                                  core::TimePoint now) {
  // The windows that ended first: their summaries speak of what came before this refusal.
  if (auto written = writeSummaries(refusals_.endedWindows(now), now); !written)
    return written.error();
  // Anyone can make a certificate: what it says is bounded and escaped before it is stored.
  const pki::Certificate& certificate = *peer.certificate;
  const boost::json::object about{
      {"subject", audit::untrustedText(certificate.subjectDn(), kMaxNameBytes)},
      {"issuer", audit::untrustedText(certificate.issuerDn(), kMaxNameBytes)},
      {"fingerprint", identification.certificate_fingerprint},
      {"reason", toString(identification.refusal)}};
  const auto verdict = refusals_.admit(identification.certificate_fingerprint, source, now, about);
  if (verdict != RefusalThrottle::Verdict::record) return {};
  boost::json::object details = about;
  details["serial"] = audit::untrustedText(certificate.serialHex(), kMaxShortBytes);
  details["address"] = audit::untrustedText(source.address, kMaxShortBytes);
  if (!peer.detail.empty())
    details["verification"] = audit::untrustedText(peer.detail, kMaxNameBytes);
  auto appended = audit_.append({.at = now,
                                 .actor = audit::Actor::anonymous().id,
                                 .action = "login.refused",
                                 .object = "",
                                 .details = boost::json::serialize(details)});
  if (!appended) return appended.error();
  return {};
}

core::Result<std::size_t> CertificateLogin::writeRefusalSummaries(bool everything) {
  const auto now = clock_.now();
  return writeSummaries(refusals_.endedWindows(now, everything), now);
}

core::Result<std::size_t> CertificateLogin::writeSummaries(
    const std::vector<RefusalSummary>& summaries, core::TimePoint now) {
  std::size_t written = 0;
  for (const RefusalSummary& summary : summaries) {
    const auto details = summaryDetails(summary, refusals_.policy().window, now);
    auto appended = audit_.append({.at = now,
                                   .actor = audit::Actor::system("login").id,
                                   .action = "login.refused.summary",
                                   .object = "",
                                   .details = boost::json::serialize(details)});
    // The counts of a failed write are lost; the error says so in the log.
    if (!appended) return appended.error();
    ++written;
  }
  return written;
}

core::Result<std::optional<core::Principal>> CertificateLogin::sessionPrincipal(
    core::PersonId person) {
  auto principal = registry_.findPrincipal(person);
  if (!principal) return principal.error();
  if (!*principal || !(*principal)->hasPortalAccess()) return std::optional<core::Principal>{};
  return principal;
}

}  // namespace auth
