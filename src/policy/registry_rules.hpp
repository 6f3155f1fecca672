#pragma once
// Pure validation of what the Servicedesk records in the registry (PRODUCT.md §2, §7):
// organisations, persons, certificate identities and validated domains. Every check returns
// message keys ("validation.kvk") per field name, so that a form can show all problems at once;
// the field names are those of the forms and of core::Organisation / core::Person.

#include "core/error.hpp"
#include "core/registry.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace policy {

/// Longest free text (names, streets, references) in characters.
inline constexpr std::size_t kMaxTextLength = 200;
/// Longest issuer DN in characters (RFC 2253 DNs with escapes run longer than other texts).
inline constexpr std::size_t kMaxDistinguishedNameLength = 500;
/// Longest e-mail address (RFC 5321 path limit minus the angle brackets).
inline constexpr std::size_t kMaxEmailLength = 254;

/// Longest time a domain validation may be relied on, in days: the CA/Browser Forum Baseline
/// Requirements (§4.2.1) let validation data be reused for at most 398 days; 397 keeps a day
/// in hand (ADR 0025). A configuration may set a shorter period, never a longer one.
inline constexpr int kMaxDomainValidationDays = 397;
/// How the Servicedesk may have validated a domain; the first is the default. Rows from before
/// the method was recorded read "unknown", which is never recorded anew.
inline constexpr std::string_view kDomainValidationMethods[] = {"servicedesk", "dns", "email"};

/// True for a KvK number: exactly 8 digits.
bool isKvkNumber(std::string_view text);
/// True for an OIN: exactly 20 digits.
bool isOin(std::string_view text);
/// True for an address of the form local@domain: a dot-atom local part (RFC 5321, no quoted
/// strings) of at most 64 characters and a domain that isDomainName accepts; at most 254 in all.
bool isEmailAddress(std::string_view text);
/// True for a phone number: digits, spaces, "-", "(", ")" and a leading "+"; 10–15 digits.
bool isPhoneNumber(std::string_view text);
/// True for a postal code of `country`: "1234 AB" in the Netherlands, any text elsewhere.
bool isPostalCode(std::string_view code, std::string_view country);
/// True for a two-letter upper-case country code (ISO 3166-1 alpha-2 form).
bool isCountryCode(std::string_view text);
/// True for a VAT identification number: country prefix and 2–12 letters or digits; a Dutch one
/// in the form NL123456789B01.
bool isVatNumber(std::string_view text);
/// True for a fully qualified DNS name: lower-case LDH labels of 1–63 characters, at least two,
/// at most 253 characters, an alphabetic (or xn-- punycode) top-level domain. Case-insensitive.
bool isDomainName(std::string_view text);

/// Number of characters of well-formed UTF-8 text without control characters; nullopt for text
/// that is not (such text must never reach the registry, a certificate or a signed document).
std::optional<std::size_t> printableLength(std::string_view text);
/// `text` without surrounding white space.
std::string trimmed(std::string_view text);
/// Lower-case ASCII copy of `text` with surrounding white space removed.
std::string canonicalDomainName(std::string_view text);

/// `organisation` with surrounding white space removed from every text, upper-case country
/// codes and VAT numbers without spaces, and Dutch postal codes in the form "1234 AB".
core::Organisation normalised(core::Organisation organisation);
/// `person` with surrounding white space removed from every text.
core::Person normalised(core::Person person);
/// `identity` with surrounding white space removed.
core::CertificateIdentity normalised(core::CertificateIdentity identity);

/// Problems with an organisation (normalise first). Fields: name, kvk, oin,
/// {visiting,postal,billing}_{street,postal_code,city,country}, billing_attention_of,
/// billing_email, billing_purchase_order_reference, billing_vat_number. An OIN derived from a
/// KvK number (prefix 00000003) must contain the organisation's KvK number.
std::vector<core::FieldError> checkOrganisation(const core::Organisation& organisation);
/// Problems with a person's name and contact data (normalise first). Fields: given_name,
/// surname, email, phone, profession.
std::vector<core::FieldError> checkPerson(const core::Person& person);
/// Problems with a typed certificate identity. Fields: issuer_dn, subject_serial.
std::vector<core::FieldError> checkCertificateIdentity(const core::CertificateIdentity& identity);
/// Problems with a domain to record as validated (pass canonicalDomainName's result), reported
/// for `field`: no wildcards and no IP addresses, a DNS name only.
std::vector<core::FieldError> checkDomain(std::string_view domain,
                                          std::string_view field = "domain");
/// Problems with a domain validation method (one of kDomainValidationMethods), field "method".
std::vector<core::FieldError> checkValidationMethod(std::string_view method);

/// True if this person may be granted portal access: representatives and contact persons use the
/// customer portal, certificate managers never (PRODUCT.md §2); professional holders and
/// Servicedesk officers use their own parts of it.
bool mayHavePortalAccess(const core::Principal& person);

}  // namespace policy
