#pragma once
// Domain types of the certificate inventory (PRODUCT.md §5 "Inzage", §8): issued certificates,
// the cards (passen) that hold them, and their status as customers see it.

#include "core/clock.hpp"
#include "core/registry.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace core {

using CertificateId = std::int64_t;
using CardId = std::int64_t;

/// What a certificate is for; decides its product profile.
enum class CertificateKind {
  server,        ///< TLS server certificate of an organisation
  personal,      ///< on a personal card (persoonsgebonden)
  group,         ///< on a group/function card (groepscertificaat)
  professional,  ///< on a profession-bound card (beroepsgebonden)
  mobile,        ///< a mobile (phone) certificate, personal or professional
};

/// API name: "server", "personal", "group", "professional", "mobile".
std::string_view toString(CertificateKind kind);
/// Inverse of toString(CertificateKind).
std::optional<CertificateKind> parseCertificateKind(std::string_view name);

/// Status as shown to customers (API.md): derived from the dates and revocation at a moment.
enum class CertificateStatus { valid, expiring, expired, revoked };

/// API name: "valid", "expiring", "expired", "revoked".
std::string_view toString(CertificateStatus status);
/// Inverse of toString(CertificateStatus).
std::optional<CertificateStatus> parseCertificateStatus(std::string_view name);

/// A certificate is "expiring" within this many days of its end (PRODUCT.md §9: 30 days).
inline constexpr int kExpiringWithinDays = 30;

/// The status at `now`: revoked beats expired beats expiring.
CertificateStatus statusAt(TimePoint not_after, const std::optional<TimePoint>& revoked_at,
                           TimePoint now);

/// An issued certificate with the columns lists and exports need (never re-parsed per row).
struct IssuedCertificate {
  CertificateId id = 0;
  CertificateKind kind = CertificateKind::server;
  std::string product;                         ///< product profile name, e.g. "server-private"
  std::optional<OrganisationId> organisation;  ///< owner organisation (server, personal, group)
  std::optional<PersonId> holder;              ///< the person on a card / professional holder
  std::optional<CardId> card;                  ///< the card it belongs to, if any
  std::string common_name;
  std::vector<std::string> dns_names;  ///< SANs (server certificates)
  std::string subject_dn;              ///< RFC 2253
  std::string issuer_dn;               ///< RFC 2253
  std::string issuing_ca;              ///< name of the issuing CA in the config
  std::string serial_hex;              ///< lower-case hex
  TimePoint not_before;
  TimePoint not_after;
  std::optional<TimePoint> revoked_at;
  std::string revocation_reason;   ///< RFC 5280 reason name, "" if not revoked
  std::string key_description;     ///< e.g. "ECDSA P-256", "RSA 3072"
  std::string sha256_fingerprint;  ///< lower-case hex of the DER
  std::vector<std::string> policy_oids;
  std::optional<PersonId> manager;       ///< linked certificate manager (CB)
  std::optional<PersonId> requested_by;  ///< the contact person who ordered it
  std::string manager_name;              ///< filled by queries that join persons
  std::string requested_by_name;         ///< filled by queries that join persons
  std::string pem;                       ///< the certificate itself
  TimePoint issued_at;
};

/// Card types (API.md `type` of /cards).
enum class CardType { personal, group, professional, mobile };

/// API name: "personal", "group", "professional", "mobile".
std::string_view toString(CardType type);
/// Inverse of toString(CardType).
std::optional<CardType> parseCardType(std::string_view name);

/// A card (pas) or mobile certificate set, as listed for organisations and holders.
struct Card {
  CardId id = 0;
  CardType type = CardType::personal;
  std::optional<OrganisationId> organisation;  ///< personal and group cards
  std::optional<PersonId> holder;              ///< personal, professional and mobile
  std::string holder_name;                     ///< person's name, or the group/function name
  std::string group_name;                      ///< group cards: group or function name
  std::optional<PersonId> manager;             ///< group cards: linked certificate manager
  std::optional<PersonId> requested_by;        ///< group cards: ordering contact person
  std::string manager_name;
  std::string requested_by_name;
  TimePoint not_after;  ///< the earliest end of its certificates
  std::optional<TimePoint> revoked_at;
  std::vector<CertificateId> certificates;  ///< authentication, signature, encryption, …
};

}  // namespace core
