#include "auth/session_manager.hpp"

#include "policy/access_rules.hpp"

#include <functional>

#include "pki/crypto.hpp"

namespace auth {

namespace {
constexpr std::size_t kSessionTokenBytes = 32;  // 256 bits, well above the 128 required
constexpr std::size_t kCsrfTokenBytes = 32;
}  // namespace

std::string sessionIdHash(std::string_view token) {
  return pki::sha256Hex(token);
}

bool secretsEqual(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char difference = 0;
  for (std::size_t i = 0; i < a.size(); ++i) difference |= static_cast<unsigned char>(a[i] ^ b[i]);
  return difference == 0;
}

core::Result<Session> SessionManager::start(core::PersonId person, const std::string& fingerprint) {
  Session session;
  session.token = core::randomToken(random_, kSessionTokenBytes);
  session.record = storage::SessionRecord{
      .id_hash = sessionIdHash(session.token),
      .person = person,
      .certificate_fingerprint = fingerprint,
      .csrf_token = core::randomToken(random_, kCsrfTokenBytes),
      .created_at = clock_.now(),
      .last_seen_at = clock_.now(),
      .organisation = std::nullopt,
  };
  auto created = sessions_.create(session.record);
  if (!created) return created.error();
  return session;
}

core::Result<std::optional<Session>> SessionManager::resumeIf(
    std::string_view token, const std::function<bool(const storage::SessionRecord&)>& belongs) {
  if (token.empty()) return std::optional<Session>{};
  const auto id_hash = sessionIdHash(token);
  auto found = sessions_.find(id_hash);
  if (!found) return found.error();
  if (!*found) return std::optional<Session>{};
  auto& record = **found;
  const auto now = clock_.now();
  const bool expired = now - record.last_seen_at > policy_.idle_timeout ||
                       now - record.created_at > policy_.absolute_timeout;
  if (expired || !belongs(record)) {
    if (expired) {
      auto removed = sessions_.remove(id_hash);
      if (!removed) return removed.error();
    }
    return std::optional<Session>{};
  }
  auto touched = sessions_.touch(id_hash, now);
  if (!touched) return touched.error();
  record.last_seen_at = now;
  return std::optional<Session>{Session{.token = "", .record = std::move(record)}};
}

core::Result<std::optional<Session>> SessionManager::resume(std::string_view token,
                                                            core::PersonId person,
                                                            std::string_view fingerprint) {
  // A cookie replayed with another certificate (or by another person) is worthless: the session
  // is bound to the certificate that started it.
  return resumeIf(token, [&](const storage::SessionRecord& record) {
    return record.person == person && secretsEqual(record.certificate_fingerprint, fingerprint);
  });
}

core::Result<std::optional<Session>> SessionManager::resumeMobile(std::string_view token) {
  // Only a session a mobile login started stands on its cookie alone.
  return resumeIf(token, [](const storage::SessionRecord& record) {
    return record.certificate_fingerprint.starts_with(kMobileSessionPrefix);
  });
}

core::Result<void> SessionManager::selectOrganisation(const core::Principal& actor,
                                                      const Session& session,
                                                      core::OrganisationId organisation) {
  if (auto allowed = policy::permit(actor, policy::Action::order_for_organisation,
                                    {.organisation = organisation});
      !allowed)
    return allowed.error();
  return sessions_.selectOrganisation(session.record.id_hash, organisation);
}

core::Result<void> SessionManager::end(std::string_view token) {
  if (token.empty()) return {};
  return sessions_.remove(sessionIdHash(token));
}

}  // namespace auth
