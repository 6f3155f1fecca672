#pragma once
// Logging in with a card or USB token (PRODUCT.md §3): the TLS client certificate, already
// verified by the transport, must come from a login CA and be a person's (ADR 0022); it is mapped
// to a registered person by issuer + subject serialNumber.

#include "auth/refusal_throttle.hpp"
#include "core/error.hpp"
#include "core/registry.hpp"
#include "pki/tls.hpp"
#include "storage/audit_repository.hpp"
#include "storage/recent_reads.hpp"
#include "storage/registry_repository.hpp"

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace auth {

/// Why a certificate does not log anyone in; each has its own page that says what to do.
enum class LoginRefusal {
  no_certificate,  ///< nothing presented: explain how to log in
  expired,         ///< certificate (or a CA above it) outside its validity
  revoked,         ///< certificate revoked
  untrusted,       ///< not from a PKIoverheid CA this portal trusts
  wrong_usage,     ///< not an authentication certificate
  invalid,         ///< fails verification for another reason
  wrong_issuer,    ///< verified, but not issued by a login CA (e.g. the CA of server certificates)
  not_personal,    ///< from a login CA, but no person's certificate (e.g. a server certificate)
  unknown_person,  ///< valid, but not registered with the TSP
  no_access,       ///< registered, but no portal access (e.g. a certificate manager)
};

/// Stable name, for logs, audit records and message keys ("login.refused.<name>").
const char* toString(LoginRefusal refusal);

/// The result of looking at a connection's certificate.
struct Identification {
  std::optional<core::Principal> principal;             ///< set when logged in
  LoginRefusal refusal = LoginRefusal::no_certificate;  ///< meaningful when principal is empty
  std::string certificate_fingerprint;  ///< SHA-256 of the certificate, if one was presented
};

/// What CertificateLogin is configured with.
struct LoginSettings {
  /// The issuing CAs whose certificates log people in (`tls.login_issuers`).
  std::vector<pki::Certificate> issuers;
  /// How long a certificate's login is not audited again.
  std::chrono::seconds audit_interval{std::chrono::hours{1}};
  RefusalAuditPolicy refusals;  ///< how refusals are audited
};

/// Maps verified client certificates to persons.
class CertificateLogin {
 public:
  CertificateLogin(storage::RegistryRepository& registry, storage::AuditRepository& audit,
                   const core::Clock& clock, LoginSettings settings)
      : registry_(registry),
        audit_(audit),
        clock_(clock),
        issuers_(std::move(settings.issuers)),
        audit_interval_(settings.audit_interval),
        refusals_(settings.refusals) {}

  /// Identifies the person behind a verified peer certificate. Database failures are errors;
  /// refusals are a normal outcome. What a certificate maps to is remembered as a recent read
  /// (storage::RecentReads, ADR 0015): a registry change counts here within a second.
  core::Result<Identification> identify(const pki::PeerVerification& peer);

  /// Writes "login" or "login.refused" to the audit log, never once per request. A login once
  /// per certificate and audit interval (ADR 0015); a refusal as RefusalThrottle decides (ADR
  /// 0022), after the summaries of the windows that ended. Without a certificate nothing is
  /// written.
  core::Result<void> audit(const Identification& identification, const pki::PeerVerification& peer,
                           const RefusalSource& source);

  /// Writes a "login.refused.summary" record for each refusal window that ended and held
  /// refusals back (every open one if `everything`: at shutdown); returns how many it wrote.
  core::Result<std::size_t> writeRefusalSummaries(bool everything = false);

  /// The person a mobile session belongs to, as they are now: nullopt once they are unknown or
  /// their access was withdrawn (that ends what the session allowed).
  core::Result<std::optional<core::Principal>> sessionPrincipal(core::PersonId person);

 private:
  /// A certificate's person (or refusal) as last looked up.
  struct Remembered {
    std::optional<core::Principal> principal;
    LoginRefusal refusal = LoginRefusal::unknown_person;
  };

  /// What `certificate` (verified) maps to, from the registry.
  core::Result<Remembered> lookUp(const pki::Certificate& certificate);
  core::Result<void> auditLogin(const Identification& identification,
                                const pki::PeerVerification& peer, core::TimePoint now);
  core::Result<void> auditRefusal(const Identification& identification,
                                  const pki::PeerVerification& peer, const RefusalSource& source,
                                  core::TimePoint now);
  core::Result<std::size_t> writeSummaries(const std::vector<RefusalSummary>& summaries,
                                           core::TimePoint now);
  /// Whether `key` was not audited within the interval; if so, it counts as audited now.
  bool dueForAudit(const std::string& key, core::TimePoint now);
  void forgetAudit(const std::string& key);

  storage::RegistryRepository& registry_;
  storage::AuditRepository& audit_;
  const core::Clock& clock_;
  const std::vector<pki::Certificate> issuers_;
  std::chrono::seconds audit_interval_;
  RefusalThrottle refusals_;
  std::mutex audited_mutex_;
  std::unordered_map<std::string, core::TimePoint> audited_;  ///< certificate → last login audit
  storage::RecentReads<Remembered> remembered_;               ///< by certificate fingerprint
};

}  // namespace auth
