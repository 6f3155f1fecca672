#include "policy/login_certificate.hpp"

#include "../pki/pki_test_support.hpp"

#include <gtest/gtest.h>

namespace {

using policy::LoginCertificateProblem;
using policy::loginCertificateProblem;
using namespace pki::test;

class LoginCertificateTest : public ::testing::Test {
 protected:
  static pki::CertificateSpec person(std::uint8_t serial) {
    auto spec = leafSpec("Sanne Jansen", serial);
    spec.subject = {{"C", "NL"},
                    {"GN", "Sanne"},
                    {"SN", "Jansen"},
                    {"serialNumber", "900000002"},
                    {"CN", "Sanne Jansen"}};
    spec.extended_key_usage = {"clientAuth", "emailProtection"};
    return spec;
  }
  LoginCertificateProblem check(const pki::CertificateSpec& spec, const Issued& issuer) {
    const std::vector<pki::Certificate> login{persons_.certificate};
    return loginCertificateProblem(issue(spec, &issuer).certificate, login);
  }

  Issued root_ = issue(caSpec("Root", 1), nullptr);
  Issued persons_ = issue(caSpec("Persons CA", 2), &root_);
  Issued servers_ = issue(caSpec("Server CA", 3), &root_);
};

TEST_F(LoginCertificateTest, APersonsCertificateFromALoginCaIsOne) {
  EXPECT_EQ(check(person(10), persons_), LoginCertificateProblem::none);
  auto pseudonym = person(11);
  pseudonym.subject = {{"C", "NL"}, {"pseudonym", "Zorgverlener 17"}, {"serialNumber", "9001"}};
  EXPECT_EQ(check(pseudonym, persons_), LoginCertificateProblem::none);
}

TEST_F(LoginCertificateTest, AnotherCaUnderTheSameRootIsTheWrongIssuer) {
  EXPECT_EQ(check(person(12), servers_), LoginCertificateProblem::wrong_issuer);
  // Same name, other key: not the login CA either.
  const Issued impostor = issue(caSpec("Persons CA", 4), &root_);
  EXPECT_EQ(check(person(13), impostor), LoginCertificateProblem::wrong_issuer);
}

TEST_F(LoginCertificateTest, ServerCertificatesAndNamelessOnesAreNotPersonal) {
  auto server = person(14);
  server.extended_key_usage = {"serverAuth", "clientAuth"};
  EXPECT_EQ(check(server, persons_), LoginCertificateProblem::not_personal);
  auto named_host = person(15);
  named_host.dns_names = {"www.voorbeeld.nl"};
  EXPECT_EQ(check(named_host, persons_), LoginCertificateProblem::not_personal);
  auto group = person(16);
  group.subject = {{"C", "NL"}, {"O", "Voorbeeld B.V."}, {"CN", "Team Inkoop"}};
  EXPECT_EQ(check(group, persons_), LoginCertificateProblem::not_personal);
  auto no_given_name = person(17);
  no_given_name.subject = {{"C", "NL"}, {"SN", "Jansen"}, {"serialNumber", "900000002"}};
  EXPECT_EQ(check(no_given_name, persons_), LoginCertificateProblem::not_personal);
}

}  // namespace
