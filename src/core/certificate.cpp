#include "core/certificate.hpp"

#include <array>
#include <utility>

namespace core {

namespace {

// One table per enum keeps names and parsing in one place.
template <class Enum, std::size_t N>
std::string_view nameOf(const std::array<std::pair<Enum, std::string_view>, N>& names, Enum value) {
  for (const auto& [e, name] : names)
    if (e == value) return name;
  return names.front().second;
}

template <class Enum, std::size_t N>
std::optional<Enum> parse(const std::array<std::pair<Enum, std::string_view>, N>& names,
                          std::string_view text) {
  for (const auto& [e, name] : names)
    if (name == text) return e;
  return std::nullopt;
}

constexpr std::array<std::pair<CertificateKind, std::string_view>, 5> kKinds{{
    {CertificateKind::server, "server"},
    {CertificateKind::personal, "personal"},
    {CertificateKind::group, "group"},
    {CertificateKind::professional, "professional"},
    {CertificateKind::mobile, "mobile"},
}};

constexpr std::array<std::pair<CertificateStatus, std::string_view>, 4> kStatuses{{
    {CertificateStatus::valid, "valid"},
    {CertificateStatus::expiring, "expiring"},
    {CertificateStatus::expired, "expired"},
    {CertificateStatus::revoked, "revoked"},
}};

constexpr std::array<std::pair<CardType, std::string_view>, 4> kCardTypes{{
    {CardType::personal, "personal"},
    {CardType::group, "group"},
    {CardType::professional, "professional"},
    {CardType::mobile, "mobile"},
}};

}  // namespace

std::string_view toString(CertificateKind kind) {
  return nameOf(kKinds, kind);
}
std::optional<CertificateKind> parseCertificateKind(std::string_view name) {
  return parse(kKinds, name);
}
std::string_view toString(CertificateStatus status) {
  return nameOf(kStatuses, status);
}
std::optional<CertificateStatus> parseCertificateStatus(std::string_view name) {
  return parse(kStatuses, name);
}
std::string_view toString(CardType type) {
  return nameOf(kCardTypes, type);
}
std::optional<CardType> parseCardType(std::string_view name) {
  return parse(kCardTypes, name);
}

CertificateStatus statusAt(TimePoint not_after, const std::optional<TimePoint>& revoked_at,
                           TimePoint now) {
  if (revoked_at && *revoked_at <= now) return CertificateStatus::revoked;
  if (not_after <= now) return CertificateStatus::expired;
  if (not_after - now <= std::chrono::days{kExpiringWithinDays}) return CertificateStatus::expiring;
  return CertificateStatus::valid;
}

}  // namespace core
