#include "policy/registry_rules.hpp"

#include "core/encoding.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>

namespace policy {

namespace {

constexpr std::string_view kWhiteSpace = " \t\r\n\f\v";
constexpr std::size_t kMaxDomainLength = 253;
constexpr std::size_t kMaxLabelLength = 63;
constexpr std::size_t kMaxLocalPartLength = 64;

bool isDigit(char c) {
  return c >= '0' && c <= '9';
}
bool isAsciiLetter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool isUpperLetter(char c) {
  return c >= 'A' && c <= 'Z';
}
char toLower(char c) {
  return isUpperLetter(c) ? char(c - 'A' + 'a') : c;
}
char toUpper(char c) {
  return (c >= 'a' && c <= 'z') ? char(c - 'a' + 'A') : c;
}

bool allDigits(std::string_view text) {
  return std::all_of(text.begin(), text.end(), isDigit);
}

void trim(std::string& text) {
  text = trimmed(text);
}

std::string upperCase(std::string_view text) {
  std::string result(text);
  std::transform(result.begin(), result.end(), result.begin(), toUpper);
  return result;
}

std::string withoutSpaces(std::string_view text) {
  std::string result;
  std::copy_if(text.begin(), text.end(), std::back_inserter(result),
               [](char c) { return c != ' '; });
  return result;
}

/// Collects the problems of one form, at most one per field.
class Checker {
 public:
  /// Checks presence, characters and length of a text; true if it is non-empty and passed, so
  /// that a format check may follow.
  bool text(std::string_view field, std::string_view value, bool required,
            std::size_t max_length = kMaxTextLength,
            std::string_view too_long = "validation.too_long") {
    if (value.empty()) {
      if (required) add(field, "validation.required");
      return false;
    }
    const auto length = printableLength(value);
    if (!length) {
      add(field, "validation.characters");
      return false;
    }
    if (*length > max_length) {
      add(field, too_long);
      return false;
    }
    return true;
  }
  /// Records a problem.
  void add(std::string_view field, std::string_view message) {
    errors_.push_back({std::string(field), std::string(message)});
  }
  /// The problems found.
  std::vector<core::FieldError> take() { return std::move(errors_); }

 private:
  std::vector<core::FieldError> errors_;
};

constexpr bool kRequired = true;
constexpr bool kOptional = false;

void checkAddress(Checker& checker, const std::string& prefix, const core::Address& address) {
  checker.text(prefix + "_street", address.street, kRequired);
  const bool country_valid = isCountryCode(address.country);
  const std::string postal_code = prefix + "_postal_code";
  // Without a known country the postal code cannot be judged; the country error says enough.
  if (checker.text(postal_code, address.postal_code, kRequired) && country_valid &&
      !isPostalCode(address.postal_code, address.country))
    checker.add(postal_code, "validation.postal_code");
  checker.text(prefix + "_city", address.city, kRequired);
  if (checker.text(prefix + "_country", address.country, kRequired) && !country_valid)
    checker.add(prefix + "_country", "validation.country");
}

void checkEmail(Checker& checker, std::string_view field, std::string_view email, bool required) {
  if (checker.text(field, email, required, kMaxEmailLength, "validation.email") &&
      !isEmailAddress(email))
    checker.add(field, "validation.email");
}

/// The message key of what keeps `name` from being a domain name; nullopt if it is one.
std::optional<std::string_view> domainProblem(std::string_view name) {
  if (name.find('*') != std::string_view::npos) return "validation.domain_wildcard";
  const bool ip_like =
      name.find(':') != std::string_view::npos ||
      std::all_of(name.begin(), name.end(), [](char c) { return isDigit(c) || c == '.'; });
  if (ip_like) return "validation.domain_ip";
  if (!isDomainName(name)) return "validation.domain";
  return std::nullopt;
}

bool isLdhLabel(std::string_view label) {
  if (label.empty() || label.size() > kMaxLabelLength) return false;
  if (label.front() == '-' || label.back() == '-') return false;
  return std::all_of(label.begin(), label.end(),
                     [](char c) { return isAsciiLetter(c) || isDigit(c) || c == '-'; });
}

bool isAtomCharacter(char c) {
  constexpr std::string_view kSpecials = "!#$%&'*+-/=?^_`{|}~";
  return isAsciiLetter(c) || isDigit(c) || kSpecials.find(c) != std::string_view::npos;
}

/// A dot-atom: atoms of atext separated by single dots (RFC 5322 §3.2.3).
bool isDotAtom(std::string_view text) {
  if (text.empty() || text.front() == '.' || text.back() == '.') return false;
  if (text.find("..") != std::string_view::npos) return false;
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return c == '.' || isAtomCharacter(c); });
}

}  // namespace

/// Number of characters of well-formed UTF-8 without control characters; nullopt otherwise, so
/// that nothing invisible or undecodable ends up in the registry, on pages or in certificates.
std::optional<std::size_t> printableLength(std::string_view text) {
  std::size_t characters = 0;
  for (std::size_t i = 0; i < text.size(); ++characters) {
    const auto character = core::decodeUtf8(text, i);
    if (!character) return std::nullopt;
    const char32_t code = character->code;
    if (code < 0x20 || (code >= 0x7F && code < 0xA0)) return std::nullopt;
    i += character->length;
  }
  return characters;
}

std::string trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(kWhiteSpace);
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(kWhiteSpace);
  return std::string(text.substr(first, last - first + 1));
}

bool isKvkNumber(std::string_view text) {
  return text.size() == 8 && allDigits(text);
}

bool isOin(std::string_view text) {
  return text.size() == 20 && allDigits(text);
}

bool isEmailAddress(std::string_view text) {
  if (text.size() > kMaxEmailLength) return false;
  const auto at = text.rfind('@');
  if (at == std::string_view::npos) return false;
  const auto local = text.substr(0, at);
  const auto domain = text.substr(at + 1);
  return local.size() <= kMaxLocalPartLength && isDotAtom(local) && isDomainName(domain);
}

bool isPhoneNumber(std::string_view text) {
  std::size_t digits = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (isDigit(c)) {
      ++digits;
    } else if (c == '+') {
      if (i != 0) return false;
    } else if (c != ' ' && c != '-' && c != '(' && c != ')') {
      return false;
    }
  }
  return digits >= 10 && digits <= 15;
}

bool isPostalCode(std::string_view code, std::string_view country) {
  if (country != "NL") return !code.empty();
  return code.size() == 7 && code[0] != '0' && allDigits(code.substr(0, 4)) && code[4] == ' ' &&
         isUpperLetter(code[5]) && isUpperLetter(code[6]);
}

bool isCountryCode(std::string_view text) {
  return text.size() == 2 && isUpperLetter(text[0]) && isUpperLetter(text[1]);
}

bool isVatNumber(std::string_view text) {
  if (text.size() < 4 || !isCountryCode(text.substr(0, 2))) return false;
  const auto number = text.substr(2);
  if (text.starts_with("NL"))
    return number.size() == 12 && allDigits(number.substr(0, 9)) && number[9] == 'B' &&
           allDigits(number.substr(10));
  return number.size() <= 12 && std::all_of(number.begin(), number.end(),
                                            [](char c) { return isUpperLetter(c) || isDigit(c); });
}

bool isDomainName(std::string_view text) {
  if (text.empty() || text.size() > kMaxDomainLength) return false;
  std::size_t labels = 0;
  std::string_view last;
  for (std::size_t start = 0;;) {
    const auto dot = text.find('.', start);
    const auto label = text.substr(start, dot == std::string_view::npos ? text.npos : dot - start);
    if (!isLdhLabel(label)) return false;
    ++labels;
    last = label;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  const bool alphabetic = std::all_of(last.begin(), last.end(), isAsciiLetter);
  const bool punycode = last.size() > 4 && (last.starts_with("xn--") || last.starts_with("XN--"));
  return labels >= 2 && (alphabetic || punycode);
}

std::string canonicalDomainName(std::string_view text) {
  std::string name = trimmed(text);
  std::transform(name.begin(), name.end(), name.begin(), toLower);
  return name;
}

core::Organisation normalised(core::Organisation organisation) {
  for (auto* text : {&organisation.name, &organisation.kvk, &organisation.oin,
                     &organisation.billing.attention_of, &organisation.billing.email,
                     &organisation.billing.purchase_order_reference})
    trim(*text);
  organisation.billing.vat_number =
      upperCase(withoutSpaces(trimmed(organisation.billing.vat_number)));
  for (auto* address : {&organisation.visiting_address, &organisation.postal_address,
                        &organisation.billing.address}) {
    trim(address->street);
    trim(address->city);
    address->country = upperCase(trimmed(address->country));
    trim(address->postal_code);
    if (address->country == "NL") {
      // "1234ab" and "1234 ab" are the same Dutch postal code as "1234 AB".
      const auto compact = upperCase(withoutSpaces(address->postal_code));
      if (compact.size() == 6)
        address->postal_code = compact.substr(0, 4) + " " + compact.substr(4);
    }
  }
  return organisation;
}

core::Person normalised(core::Person person) {
  for (auto* text :
       {&person.given_name, &person.surname, &person.email, &person.phone, &person.profession})
    trim(*text);
  return person;
}

core::CertificateIdentity normalised(core::CertificateIdentity identity) {
  trim(identity.issuer_dn);
  trim(identity.subject_serial);
  return identity;
}

std::vector<core::FieldError> checkOrganisation(const core::Organisation& organisation) {
  Checker checker;
  checker.text("name", organisation.name, kRequired);
  const bool kvk_valid = isKvkNumber(organisation.kvk);
  if (checker.text("kvk", organisation.kvk, kRequired) && !kvk_valid)
    checker.add("kvk", "validation.kvk");
  if (checker.text("oin", organisation.oin, kOptional)) {
    if (!isOin(organisation.oin)) {
      checker.add("oin", "validation.oin");
    } else if (organisation.oin.starts_with("00000003") && kvk_valid &&
               organisation.oin.substr(8, 8) != organisation.kvk) {
      // Prefix 00000003: the OIN is derived from the KvK number (Logius OIN-stelsel).
      checker.add("oin", "validation.oin_kvk");
    }
  }
  checkAddress(checker, "visiting", organisation.visiting_address);
  checkAddress(checker, "postal", organisation.postal_address);
  checkAddress(checker, "billing", organisation.billing.address);
  checker.text("billing_attention_of", organisation.billing.attention_of, kOptional);
  checkEmail(checker, "billing_email", organisation.billing.email, kRequired);
  checker.text("billing_purchase_order_reference", organisation.billing.purchase_order_reference,
               kOptional);
  if (checker.text("billing_vat_number", organisation.billing.vat_number, kOptional) &&
      !isVatNumber(organisation.billing.vat_number))
    checker.add("billing_vat_number", "validation.vat_number");
  return checker.take();
}

std::vector<core::FieldError> checkPerson(const core::Person& person) {
  Checker checker;
  checker.text("given_name", person.given_name, kRequired);
  checker.text("surname", person.surname, kRequired);
  checkEmail(checker, "email", person.email, kRequired);
  if (checker.text("phone", person.phone, kOptional, kMaxTextLength, "validation.phone") &&
      !isPhoneNumber(person.phone))
    checker.add("phone", "validation.phone");
  checker.text("profession", person.profession, kOptional);
  return checker.take();
}

std::vector<core::FieldError> checkCertificateIdentity(const core::CertificateIdentity& identity) {
  Checker checker;
  // An RFC 2253 DN starts with an attribute type and "=", e.g. "CN=…" or "2.5.4.3=…".
  const auto equals = identity.issuer_dn.find('=');
  if (checker.text("issuer_dn", identity.issuer_dn, kRequired, kMaxDistinguishedNameLength,
                   "validation.dn_too_long") &&
      (equals == 0 || equals == std::string::npos))
    checker.add("issuer_dn", "validation.issuer_dn");
  checker.text("subject_serial", identity.subject_serial, kRequired);
  return checker.take();
}

std::vector<core::FieldError> checkDomain(std::string_view domain, std::string_view field) {
  Checker checker;
  if (checker.text(field, domain, kRequired, std::numeric_limits<std::size_t>::max())) {
    if (const auto problem = domainProblem(domain)) checker.add(field, *problem);
  }
  return checker.take();
}

std::vector<core::FieldError> checkValidationMethod(std::string_view method) {
  if (std::ranges::find(kDomainValidationMethods, method) != std::end(kDomainValidationMethods))
    return {};
  return {{"method", "validation.domain_method"}};
}

bool mayHavePortalAccess(const core::Principal& person) {
  if (person.person.servicedesk || person.person.professional) return true;
  return std::any_of(person.memberships.begin(), person.memberships.end(),
                     [](const core::Membership& m) {
                       return m.role == core::Role::representative || m.role == core::Role::contact;
                     });
}

}  // namespace policy
