#include "policy/registry_rules.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using core::FieldError;

/// A complete, valid organisation (the demo's Voorbeeld B.V.).
core::Organisation voorbeeld() {
  core::Organisation o;
  o.name = "Voorbeeld B.V.";
  o.kvk = "12345678";
  o.oin = "00000001812345678000";
  o.visiting_address = {"Stationsplein 1", "3511 ED", "Utrecht", "NL"};
  o.postal_address = {"Postbus 1234", "3500 AA", "Utrecht", "NL"};
  o.billing = {{"Postbus 1234", "3500 AA", "Utrecht", "NL"},
               "Crediteurenadministratie",
               "facturen@voorbeeld.nl",
               "PO-2026-0042",
               "NL001234567B01"};
  return o;
}

core::Person sanne() {
  core::Person p;
  p.given_name = "Sanne";
  p.surname = "Jansen";
  p.email = "s.jansen@voorbeeld.nl";
  p.phone = "+31 30 123 45 02";
  return p;
}

/// The message key reported for `field`, or "" if none.
std::string errorFor(const std::vector<FieldError>& errors, const std::string& field) {
  for (const auto& error : errors)
    if (error.field == field) return error.message;
  return "";
}

TEST(KvkNumber, IsExactlyEightDigits) {
  EXPECT_TRUE(policy::isKvkNumber("12345678"));
  EXPECT_TRUE(policy::isKvkNumber("00000001"));
  for (const char* bad : {"", "1234567", "123456789", "1234567a", "1234 5678", " 12345678",
                          "１２３４５６７８", "-1234567"})
    EXPECT_FALSE(policy::isKvkNumber(bad)) << bad;
}

TEST(Oin, IsExactlyTwentyDigits) {
  EXPECT_TRUE(policy::isOin("00000001812345678000"));
  EXPECT_TRUE(policy::isOin("00000003123456780000"));
  for (const char* bad : {"", "0000000181234567800", "000000018123456780001",
                          "0000000181234567800X", "00000001 812345678000"})
    EXPECT_FALSE(policy::isOin(bad)) << bad;
}

TEST(Oin, DerivedFromKvkMustContainTheOrganisationsKvk) {
  auto organisation = voorbeeld();
  organisation.oin = "00000003123456780000";  // prefix 00000003: KvK 12345678 + 0000
  EXPECT_EQ(policy::checkOrganisation(organisation), std::vector<FieldError>{});
  organisation.oin = "00000003876543210000";
  EXPECT_EQ(policy::checkOrganisation(organisation),
            (std::vector<FieldError>{{"oin", "validation.oin_kvk"}}));
  // Prefix 00000001 is derived from the RSIN (9 digits), which need not resemble the KvK number.
  organisation.oin = "00000001999999999000";
  EXPECT_EQ(policy::checkOrganisation(organisation), std::vector<FieldError>{});
}

TEST(Oin, IsOptionalButMustBeWellFormed) {
  auto organisation = voorbeeld();
  organisation.oin = "";
  EXPECT_EQ(policy::checkOrganisation(organisation), std::vector<FieldError>{});
  organisation.oin = "1234";
  EXPECT_EQ(errorFor(policy::checkOrganisation(organisation), "oin"), "validation.oin");
}

TEST(Email, AcceptsPracticalAddresses) {
  for (const char* good :
       {"s.jansen@voorbeeld.nl", "facturen+po@voorbeeld.nl", "a@b.nl", "O'Brien@example.ie",
        "first.last@sub.domain.example.com", "x@xn--bcher-kva.example", "UPPER@EXAMPLE.NL",
        "user_name-1@andere-organisatie.nl", "!#$%&'*+-/=?^_`{|}~@example.nl"})
    EXPECT_TRUE(policy::isEmailAddress(good)) << good;
}

TEST(Email, RefusesMalformedAddresses) {
  const std::string long_local(65, 'a');
  const std::string long_domain = std::string(63, 'b') + "." + std::string(63, 'c') + "." +
                                  std::string(63, 'd') + "." + std::string(60, 'e') + ".nl";
  for (const auto& bad : std::vector<std::string>{"",
                                                  "jansen",
                                                  "@voorbeeld.nl",
                                                  "s.jansen@",
                                                  "s.jansen@voorbeeld",
                                                  "s..jansen@voorbeeld.nl",
                                                  ".jansen@voorbeeld.nl",
                                                  "jansen.@voorbeeld.nl",
                                                  "s jansen@voorbeeld.nl",
                                                  "\"s jansen\"@voorbeeld.nl",
                                                  "s.jansen@voorbeeld..nl",
                                                  "s.jansen@-voorbeeld.nl",
                                                  "s.jansen@voorbeeld.nl.",
                                                  "s.jansen@[127.0.0.1]",
                                                  "s.jansen@192.168.1.1",
                                                  "jansen@voorbeeld.123",
                                                  "jänsen@voorbeeld.nl",
                                                  "s.jansen@voorbeeld.nl\n",
                                                  long_local + "@voorbeeld.nl",
                                                  "a@" + long_domain,
                                                  "a@b@voorbeeld.nl"})
    EXPECT_FALSE(policy::isEmailAddress(bad)) << bad;
}

TEST(Email, MayBeAtMost254Characters) {
  const std::string domain =
      std::string(63, 'a') + "." + std::string(63, 'b') + "." + std::string(63, 'c') + ".nl";
  const std::string local(254 - 1 - domain.size(), 'x');
  ASSERT_LE(local.size(), 64u);
  EXPECT_TRUE(policy::isEmailAddress(local + "@" + domain));
  EXPECT_FALSE(policy::isEmailAddress(local + "x@" + domain));
}

TEST(Phone, TenToFifteenDigitsWithUsualPunctuation) {
  for (const char* good : {"0301234567", "+31 30 123 45 02", "+31 (0)30-1234567", "030 - 123 45 67",
                           "+44 20 7946 0958", "123456789012345"})
    EXPECT_TRUE(policy::isPhoneNumber(good)) << good;
  for (const char* bad : {"", "123456789", "1234567890123456", "+31 30 123 45 0x", "31+301234567",
                          "030.123.45.67", "++31301234567", "tel 0301234567"})
    EXPECT_FALSE(policy::isPhoneNumber(bad)) << bad;
}

TEST(PostalCode, DutchFormInTheNetherlandsAnythingElsewhere) {
  EXPECT_TRUE(policy::isPostalCode("3511 ED", "NL"));
  for (const char* bad : {"3511ED", "3511 ed", "0511 ED", "351 ED", "3511 E", "3511  ED", ""})
    EXPECT_FALSE(policy::isPostalCode(bad, "NL")) << bad;
  EXPECT_TRUE(policy::isPostalCode("SW1A 1AA", "GB"));
  EXPECT_TRUE(policy::isPostalCode("1000", "BE"));
  EXPECT_FALSE(policy::isPostalCode("", "BE"));
}

TEST(PostalCode, IsNormalisedForTheNetherlands) {
  auto organisation = voorbeeld();
  organisation.visiting_address.postal_code = " 3511ed ";
  organisation.visiting_address.country = "nl";
  organisation.postal_address.postal_code = "3500 aa";
  const auto result = policy::normalised(organisation);
  EXPECT_EQ(result.visiting_address.postal_code, "3511 ED");
  EXPECT_EQ(result.visiting_address.country, "NL");
  EXPECT_EQ(result.postal_address.postal_code, "3500 AA");
  EXPECT_EQ(policy::checkOrganisation(result), std::vector<FieldError>{});
}

TEST(Country, TwoUpperCaseLetters) {
  EXPECT_TRUE(policy::isCountryCode("NL"));
  for (const char* bad : {"", "N", "nl", "NLD", "Nederland", "N1"})
    EXPECT_FALSE(policy::isCountryCode(bad)) << bad;
}

TEST(VatNumber, DutchAndOtherEuropeanForms) {
  for (const char* good : {"NL001234567B01", "BE0123456789", "DE123456789", "ATU12345678"})
    EXPECT_TRUE(policy::isVatNumber(good)) << good;
  for (const char* bad : {"", "NL", "NL001234567", "NL001234567B1", "NL00123456B012",
                          "001234567B01", "nl001234567B01", "DE12345678901234"})
    EXPECT_FALSE(policy::isVatNumber(bad)) << bad;
}

TEST(DomainName, AcceptsFullyQualifiedLdhNames) {
  const std::string label63(63, 'a');
  for (const auto& good :
       std::vector<std::string>{"voorbeeld.nl", "andere-organisatie.nl", "www.sub.voorbeeld.nl",
                                "a.nl", "x1.example.com", label63 + ".nl", "xn--bcher-kva.example",
                                "example.xn--p1ai", "VOORBEELD.NL"})
    EXPECT_TRUE(policy::isDomainName(good)) << good;
}

TEST(DomainName, RefusesEverythingElse) {
  const std::string label64(64, 'a');
  std::string long_name;  // valid labels, 254 characters in all
  while (long_name.size() < 250) long_name += "abcdefghi.";
  long_name += "abnl";
  ASSERT_EQ(long_name.size(), 254u);
  for (const auto& bad :
       std::vector<std::string>{"", "localhost", "voorbeeld", ".voorbeeld.nl", "voorbeeld.nl.",
                                "voorbeeld..nl", "-voorbeeld.nl", "voorbeeld-.nl", "voor_beeld.nl",
                                "voor beeld.nl", "*.voorbeeld.nl", "voorbeeld.123", "voorbeeld.n1",
                                "192.168.1.1", "::1", "vóórbeeld.nl", label64 + ".nl", long_name})
    EXPECT_FALSE(policy::isDomainName(bad)) << bad;
}

TEST(DomainName, CanonicalFormIsTrimmedLowerCase) {
  EXPECT_EQ(policy::canonicalDomainName("  WWW.Voorbeeld.NL \t"), "www.voorbeeld.nl");
}

TEST(Domain, ExplainsWildcardsAndIpAddresses) {
  using Errors = std::vector<FieldError>;
  EXPECT_EQ(policy::checkDomain("voorbeeld.nl"), Errors{});
  EXPECT_EQ(policy::checkDomain(""), (Errors{{"domain", "validation.required"}}));
  EXPECT_EQ(policy::checkDomain("*.voorbeeld.nl"),
            (Errors{{"domain", "validation.domain_wildcard"}}));
  EXPECT_EQ(policy::checkDomain("10.0.0.1"), (Errors{{"domain", "validation.domain_ip"}}));
  EXPECT_EQ(policy::checkDomain("2001:db8::1"), (Errors{{"domain", "validation.domain_ip"}}));
  EXPECT_EQ(policy::checkDomain("intranet"), (Errors{{"domain", "validation.domain"}}));
  EXPECT_EQ(policy::checkDomain("bad_name.nl", "new_domain"),
            (Errors{{"new_domain", "validation.domain"}}));
}

TEST(Organisation, ValidOneHasNoErrors) {
  EXPECT_EQ(policy::checkOrganisation(voorbeeld()), std::vector<FieldError>{});
}

TEST(Organisation, EmptyOneReportsEveryRequiredField) {
  core::Organisation empty;
  empty.visiting_address.country = "";
  empty.postal_address.country = "";
  empty.billing.address.country = "";
  const auto errors = policy::checkOrganisation(empty);
  std::vector<std::string> fields;
  for (const auto& error : errors) {
    EXPECT_EQ(error.message, "validation.required") << error.field;
    fields.push_back(error.field);
  }
  EXPECT_EQ(fields, (std::vector<std::string>{
                        "name", "kvk", "visiting_street", "visiting_postal_code", "visiting_city",
                        "visiting_country", "postal_street", "postal_postal_code", "postal_city",
                        "postal_country", "billing_street", "billing_postal_code", "billing_city",
                        "billing_country", "billing_email"}));
}

TEST(Organisation, ReportsEachProblemAtItsField) {
  auto o = voorbeeld();
  o.kvk = "1234";
  o.visiting_address.postal_code = "ABCD 12";
  o.postal_address.country = "Nederland";
  o.billing.email = "facturen";
  o.billing.vat_number = "NL12";
  o.billing.purchase_order_reference = std::string(201, 'x');
  const auto errors = policy::checkOrganisation(o);
  EXPECT_EQ(errors, (std::vector<FieldError>{
                        {"kvk", "validation.kvk"},
                        {"visiting_postal_code", "validation.postal_code"},
                        {"postal_country", "validation.country"},
                        {"billing_email", "validation.email"},
                        {"billing_purchase_order_reference", "validation.too_long"},
                        {"billing_vat_number", "validation.vat_number"},
                    }));
}

TEST(Organisation, ForeignAddressNeedsOnlySomePostalCode) {
  auto o = voorbeeld();
  o.billing.address = {"Rue de la Loi 16", "1000", "Brussel", "BE"};
  EXPECT_EQ(policy::checkOrganisation(o), std::vector<FieldError>{});
}

TEST(Texts, LengthIsCountedInCharactersAndLimited) {
  auto o = voorbeeld();
  o.name = std::string(200, 'x');
  EXPECT_EQ(policy::checkOrganisation(o), std::vector<FieldError>{});
  std::string accented;
  for (int i = 0; i < 200; ++i) accented += "é";  // 400 bytes, 200 characters
  o.name = accented;
  EXPECT_EQ(policy::checkOrganisation(o), std::vector<FieldError>{});
  o.name += "x";
  EXPECT_EQ(errorFor(policy::checkOrganisation(o), "name"), "validation.too_long");
}

TEST(Texts, ControlCharactersAndBrokenUtf8AreRefused) {
  auto p = sanne();
  for (const auto& bad : {std::string("San\nne"), std::string("San\x00ne", 7),
                          std::string("Sanne\x7f"), std::string("San\xc3"), std::string("\xc0\xaf"),
                          std::string("\xed\xa0\x80"), std::string("\xc2\x85")}) {
    p.given_name = bad;
    EXPECT_EQ(errorFor(policy::checkPerson(p), "given_name"), "validation.characters");
  }
  p.given_name = "Zoë 名前 🙂";
  EXPECT_EQ(policy::checkPerson(p), std::vector<FieldError>{});
}

TEST(Person, ValidOneHasNoErrors) {
  EXPECT_EQ(policy::checkPerson(sanne()), std::vector<FieldError>{});
}

TEST(Person, RequiredFieldsAndFormats) {
  core::Person p;
  EXPECT_EQ(policy::checkPerson(p), (std::vector<FieldError>{{"given_name", "validation.required"},
                                                             {"surname", "validation.required"},
                                                             {"email", "validation.required"}}));
  p = sanne();
  p.email = "sanne@";
  p.phone = "12345";
  EXPECT_EQ(policy::checkPerson(p), (std::vector<FieldError>{{"email", "validation.email"},
                                                             {"phone", "validation.phone"}}));
}

TEST(Person, IsNormalisedByTrimming) {
  auto p = sanne();
  p.given_name = "  Sanne ";
  p.email = "\ts.jansen@voorbeeld.nl\r\n";
  const auto result = policy::normalised(p);
  EXPECT_EQ(result.given_name, "Sanne");
  EXPECT_EQ(result.email, "s.jansen@voorbeeld.nl");
}

TEST(CertificateIdentity, NeedsIssuerDnAndSerial) {
  using Errors = std::vector<FieldError>;
  EXPECT_EQ(policy::checkCertificateIdentity({"CN=Persons CA,O=TSP,C=NL", "900000002"}), Errors{});
  EXPECT_EQ(
      policy::checkCertificateIdentity({"", ""}),
      (Errors{{"issuer_dn", "validation.required"}, {"subject_serial", "validation.required"}}));
  EXPECT_EQ(policy::checkCertificateIdentity({"Persons CA", "1"}),
            (Errors{{"issuer_dn", "validation.issuer_dn"}}));
  EXPECT_EQ(policy::checkCertificateIdentity({"=x", "1"}),
            (Errors{{"issuer_dn", "validation.issuer_dn"}}));
  EXPECT_EQ(policy::checkCertificateIdentity({"CN=" + std::string(500, 'x'), "1"}),
            (Errors{{"issuer_dn", "validation.dn_too_long"}}));
  EXPECT_EQ(policy::normalised(core::CertificateIdentity{" CN=A ", " 12 "}),
            (core::CertificateIdentity{"CN=A", "12"}));
}

TEST(PortalAccess, OnlyForRepresentativesContactsProfessionalsAndServicedesk) {
  core::Principal principal;
  EXPECT_FALSE(policy::mayHavePortalAccess(principal));
  principal.memberships = {{1, "Voorbeeld B.V.", true, core::Role::manager}};
  EXPECT_FALSE(policy::mayHavePortalAccess(principal));
  principal.memberships.push_back({2, "Andere", true, core::Role::contact});
  EXPECT_TRUE(policy::mayHavePortalAccess(principal));
  principal.memberships = {{1, "Voorbeeld B.V.", false, core::Role::representative}};
  EXPECT_TRUE(policy::mayHavePortalAccess(principal));
  principal.memberships.clear();
  principal.person.professional = true;
  EXPECT_TRUE(policy::mayHavePortalAccess(principal));
}

}  // namespace
