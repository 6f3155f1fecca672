#include "auth/session_manager.hpp"

#include "policy/access_rules.hpp"

#include "core/encoding.hpp"
#include "core/time_format.hpp"
#include "pki/crypto.hpp"

#include <charconv>
#include <functional>
#include <vector>

namespace auth {

namespace {
constexpr std::size_t kSessionTokenBytes = 32;  // 256 bits, well above the 128 required
constexpr std::size_t kCsrfTokenBytes = 32;
constexpr std::size_t kNonceBytes = 16;  // 128 bits: identities never repeat
constexpr std::size_t kSigningKeyBytes = 32;
constexpr std::string_view kSignedPrefix = "s1.";
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

// A signed cookie: "s1.<person>.<created>.<nonce>.<seen>.<mac>". The first four parts are the
// session's identity (its id hash and CSRF token derive from it); "seen" moves on with activity,
// at most once per kActivityResolution. The MAC covers identity and seen, and the certificate's
// fingerprint, which is not in the cookie: with another certificate the cookie is worthless.
struct SessionManager::SignedCookie {
  std::string identity;
  core::PersonId person = 0;
  core::TimePoint created;
  core::TimePoint seen;

  static std::optional<SignedCookie> parse(std::string_view token) {
    if (!token.starts_with(kSignedPrefix)) return std::nullopt;
    std::vector<std::string_view> parts;
    for (std::size_t from = 0;;) {
      const auto dot = token.find('.', from);
      parts.push_back(token.substr(from, dot - from));
      if (dot == std::string_view::npos) break;
      from = dot + 1;
    }
    if (parts.size() != 6) return std::nullopt;
    const auto number = [](std::string_view text) -> std::optional<std::int64_t> {
      std::int64_t value = 0;
      const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (error != std::errc{} || end != text.data() + text.size() || value < 0)
        return std::nullopt;
      return value;
    };
    const auto person = number(parts[1]), created = number(parts[2]), seen = number(parts[4]);
    if (!person || !created || !seen || parts[3].empty()) return std::nullopt;
    // The MAC (parts[5]) is checked against the whole token by resumeSigned.
    const auto identity_length = static_cast<std::size_t>(parts[4].data() - token.data()) - 1;
    return SignedCookie{.identity = std::string(token.substr(0, identity_length)),
                        .person = *person,
                        .created = core::fromUnixSeconds(*created),
                        .seen = core::fromUnixSeconds(*seen)};
  }
};

core::Result<std::string> SessionManager::sharedSigningKey(storage::SessionRepository& sessions,
                                                           core::RandomSource& random,
                                                           const core::Clock& clock) {
  return sessions.sharedSecret("session_cookie_key", core::randomToken(random, kSigningKeyBytes),
                               clock.now());
}

std::string SessionManager::mac(std::string_view data) const {
  return core::toBase64Url(pki::hmacSha256(signing_key_, data));
}

std::string SessionManager::signedToken(const std::string& identity, core::TimePoint seen,
                                        std::string_view fingerprint) const {
  const auto signed_part = identity + "." + std::to_string(core::toUnixSeconds(seen));
  return signed_part + "." + mac(signed_part + "|" + std::string(fingerprint));
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

Session SessionManager::begin(core::PersonId person, const std::string& fingerprint) {
  // Whole seconds, as the cookie carries them: a resumed session then equals the begun one.
  const auto now = core::fromUnixSeconds(core::toUnixSeconds(clock_.now()));
  const auto identity = std::string(kSignedPrefix) + std::to_string(person) + "." +
                        std::to_string(core::toUnixSeconds(now)) + "." +
                        core::randomToken(random_, kNonceBytes);
  return Session{.token = signedToken(identity, now, fingerprint),
                 .record = {.id_hash = sessionIdHash(identity),
                            .person = person,
                            .certificate_fingerprint = fingerprint,
                            .csrf_token = mac("csrf|" + identity),
                            .created_at = now,
                            .last_seen_at = now,
                            .organisation = std::nullopt},
                 .stored = false};
}

core::Result<std::optional<Session>> SessionManager::resumeStored(
    storage::SessionRecord record,
    const std::function<bool(const storage::SessionRecord&)>& belongs) {
  const auto now = clock_.now();
  const bool expired = now - record.last_seen_at > policy_.idle_timeout ||
                       now - record.created_at > policy_.absolute_timeout;
  if (expired) {
    if (auto removed = sessions_.remove(record.id_hash); !removed) return removed.error();
    return std::optional<Session>{};
  }
  if (record.ended_at || !belongs(record)) return std::optional<Session>{};
  if (now - record.last_seen_at >= kActivityResolution) {
    if (auto touched = sessions_.touch(record.id_hash, now); !touched) return touched.error();
    record.last_seen_at = now;
  }
  return std::optional<Session>{Session{.token = "", .record = std::move(record)}};
}

core::Result<std::optional<Session>> SessionManager::resumeSigned(std::string_view token,
                                                                  const SignedCookie& cookie,
                                                                  std::string_view fingerprint) {
  if (!secretsEqual(token, signedToken(cookie.identity, cookie.seen, fingerprint)))
    return std::optional<Session>{};
  const auto id_hash = sessionIdHash(cookie.identity);
  auto found = sessions_.find(id_hash);
  if (!found) return found.error();
  // Kept at a state change, or ended: the row decides from then on.
  if (*found) {
    return resumeStored(std::move(**found), [&](const storage::SessionRecord& record) {
      return record.person == cookie.person &&
             secretsEqual(record.certificate_fingerprint, fingerprint);
    });
  }
  const auto now = clock_.now();
  if (now - cookie.seen > policy_.idle_timeout || now - cookie.created > policy_.absolute_timeout ||
      cookie.seen < cookie.created || cookie.seen > now + kActivityResolution)
    return std::optional<Session>{};
  Session session{.token = "",
                  .record = {.id_hash = id_hash,
                             .person = cookie.person,
                             .certificate_fingerprint = std::string(fingerprint),
                             .csrf_token = mac("csrf|" + cookie.identity),
                             .created_at = cookie.created,
                             .last_seen_at = cookie.seen,
                             .organisation = std::nullopt},
                  .stored = false};
  if (now - cookie.seen >= kActivityResolution) {
    const auto seen = core::fromUnixSeconds(core::toUnixSeconds(now));
    session.token = signedToken(cookie.identity, seen, fingerprint);
    session.record.last_seen_at = seen;
  }
  return std::optional<Session>{std::move(session)};
}

core::Result<std::optional<Session>> SessionManager::resume(std::string_view token,
                                                            core::PersonId person,
                                                            std::string_view fingerprint) {
  if (token.empty()) return std::optional<Session>{};
  if (const auto cookie = SignedCookie::parse(token)) {
    if (cookie->person != person) return std::optional<Session>{};
    return resumeSigned(token, *cookie, fingerprint);
  }
  auto found = sessions_.find(sessionIdHash(token));
  if (!found) return found.error();
  if (!*found) return std::optional<Session>{};
  // A cookie replayed with another certificate (or by another person) is worthless: the session
  // is bound to the certificate that started it.
  return resumeStored(std::move(**found), [&](const storage::SessionRecord& record) {
    return record.person == person && secretsEqual(record.certificate_fingerprint, fingerprint);
  });
}

core::Result<std::optional<Session>> SessionManager::resumeMobile(std::string_view token) {
  // Only a session a mobile login started stands on its cookie alone; those are never signed.
  if (token.empty() || token.starts_with(kSignedPrefix)) return std::optional<Session>{};
  auto found = sessions_.find(sessionIdHash(token));
  if (!found) return found.error();
  if (!*found) return std::optional<Session>{};
  return resumeStored(std::move(**found), [](const storage::SessionRecord& record) {
    return record.certificate_fingerprint.starts_with(kMobileSessionPrefix);
  });
}

core::Result<void> SessionManager::keep(Session& session) {
  if (session.stored) return {};
  auto created = sessions_.create(session.record);
  if (!created) {
    // Two tabs' first forms at once: one stored it, which is as good, unless it was a logout.
    if (created.error().kind != core::ErrorKind::conflict) return created.error();
    auto found = sessions_.find(session.record.id_hash);
    if (!found) return found.error();
    if (!*found || (*found)->ended_at)
      return core::makeError(core::ErrorKind::unauthenticated, "session.ended");
  }
  session.stored = true;
  return {};
}

core::Result<void> SessionManager::selectOrganisation(const core::Principal& actor,
                                                      Session& session,
                                                      core::OrganisationId organisation) {
  if (auto allowed = policy::permit(actor, policy::Action::order_for_organisation,
                                    {.organisation = organisation});
      !allowed)
    return allowed.error();
  if (auto kept = keep(session); !kept) return kept.error();
  return sessions_.selectOrganisation(session.record.id_hash, organisation);
}

core::Result<void> SessionManager::end(const Session& session) {
  return sessions_.end(session.record, clock_.now());
}

}  // namespace auth
