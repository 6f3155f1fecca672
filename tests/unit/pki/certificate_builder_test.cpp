#include "pki/certificate_builder.hpp"

#include "pki/openssl_handles.hpp"
#include "pki_test_support.hpp"

#include <gtest/gtest.h>

namespace pki {
namespace {

using namespace test;

// Reads extension `nid` of `certificate` with OpenSSL and says whether it is critical.
template <class T>
std::pair<T*, bool> extension(const Certificate& certificate, int nid) {
  int critical = -1;
  auto* value = static_cast<T*>(X509_get_ext_d2i(certificate.handle(), nid, &critical, nullptr));
  return {value, critical == 1};
}

std::string text(const ASN1_STRING* value) {
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(value)),
                     static_cast<std::size_t>(ASN1_STRING_length(value)));
}

std::string oid(const ASN1_OBJECT* object) {
  char buffer[128];
  OBJ_obj2txt(buffer, sizeof buffer, object, 1);
  return buffer;
}

class CertificateBuilderTest : public ::testing::Test {
 protected:
  CertificateBuilderTest() : ca_(issue(caSpec("Issuing CA", 1), nullptr)) {
    spec_ = leafSpec("Jan Jansen", 7);
    spec_.subject.push_back({"organizationIdentifier", "NTRNL-12345678"});
    spec_.extended_key_usage = {"clientAuth", "emailProtection", "1.3.6.1.4.1.311.20.2.2"};
    spec_.dns_names = {"localhost"};
    spec_.ip_addresses = {"127.0.0.1", "::1"};
    spec_.email_addresses = {"jan@voorbeeld.nl"};
    spec_.policy_oids = {"2.16.528.1.1003.1.2.5.1"};
    spec_.crl_distribution_points = {"http://crl.example.test/ca.crl"};
  }

  core::Result<Certificate> issueLeaf(const PrivateKey& key) {
    return issueCertificate(spec_, key, &ca_.certificate, ca_.key);
  }

  Issued ca_;
  CertificateSpec spec_;
  PrivateKey leaf_key_ = PrivateKey::generate(KeyType::ec_p256);
};

TEST_F(CertificateBuilderTest, EncodesEverythingAsked) {
  auto leaf = issueLeaf(leaf_key_);
  ASSERT_TRUE(leaf) << leaf.error().message;
  X509* x = leaf->handle();
  EXPECT_EQ(X509_get_version(x), X509_VERSION_3);
  EXPECT_EQ(leaf->serialHex(), "1e07");
  EXPECT_EQ(leaf->subjectAttribute("organizationIdentifier"), "NTRNL-12345678");
  EXPECT_EQ(leaf->issuerDn(), ca_.certificate.subjectDn());
  EXPECT_EQ(leaf->notBefore(), spec_.not_before);
  EXPECT_EQ(leaf->notAfter(), spec_.not_after);
  EXPECT_EQ(EVP_PKEY_eq(X509_get0_pubkey(x), leaf_key_.handle()), 1);
  EXPECT_EQ(X509_verify(x, X509_get0_pubkey(ca_.certificate.handle())), 1);

  auto [constraints, bc_critical] = extension<BASIC_CONSTRAINTS>(*leaf, NID_basic_constraints);
  detail::BasicConstraintsPtr bc(constraints);
  ASSERT_TRUE(bc);
  EXPECT_TRUE(bc_critical);
  EXPECT_FALSE(bc->ca);

  auto [usage, ku_critical] = extension<ASN1_BIT_STRING>(*leaf, NID_key_usage);
  detail::Asn1BitStringPtr ku(usage);
  EXPECT_TRUE(ku_critical);
  EXPECT_EQ(X509_get_key_usage(x), static_cast<std::uint32_t>(KU_DIGITAL_SIGNATURE));

  auto [purposes, eku_critical] = extension<EXTENDED_KEY_USAGE>(*leaf, NID_ext_key_usage);
  detail::ExtendedKeyUsagePtr eku(purposes);
  EXPECT_FALSE(eku_critical);
  ASSERT_EQ(sk_ASN1_OBJECT_num(eku.get()), 3);
  EXPECT_EQ(OBJ_obj2nid(sk_ASN1_OBJECT_value(eku.get(), 0)), NID_client_auth);
  EXPECT_EQ(OBJ_obj2nid(sk_ASN1_OBJECT_value(eku.get(), 1)), NID_email_protect);
  EXPECT_EQ(oid(sk_ASN1_OBJECT_value(eku.get(), 2)), "1.3.6.1.4.1.311.20.2.2");

  auto [alt_names, san_critical] = extension<GENERAL_NAMES>(*leaf, NID_subject_alt_name);
  detail::GeneralNamesPtr san(alt_names);
  EXPECT_FALSE(san_critical);
  ASSERT_EQ(sk_GENERAL_NAME_num(san.get()), 4);
  EXPECT_EQ(sk_GENERAL_NAME_value(san.get(), 0)->type, GEN_DNS);
  EXPECT_EQ(text(sk_GENERAL_NAME_value(san.get(), 1)->d.iPAddress), std::string("\x7f\0\0\x01", 4));
  EXPECT_EQ(ASN1_STRING_length(sk_GENERAL_NAME_value(san.get(), 2)->d.iPAddress), 16);
  EXPECT_EQ(sk_GENERAL_NAME_value(san.get(), 3)->type, GEN_EMAIL);
  EXPECT_EQ(text(sk_GENERAL_NAME_value(san.get(), 3)->d.rfc822Name), "jan@voorbeeld.nl");
  EXPECT_EQ(leaf->dnsNames(), std::vector<std::string>{"localhost"});

  auto [policy_list, cp_critical] = extension<CERTIFICATEPOLICIES>(*leaf, NID_certificate_policies);
  detail::CertificatePoliciesPtr policies(policy_list);
  ASSERT_EQ(sk_POLICYINFO_num(policies.get()), 1);
  EXPECT_EQ(oid(sk_POLICYINFO_value(policies.get(), 0)->policyid), "2.16.528.1.1003.1.2.5.1");

  auto [points, dp_critical] = extension<CRL_DIST_POINTS>(*leaf, NID_crl_distribution_points);
  detail::CrlDistPointsPtr crldp(points);
  ASSERT_EQ(sk_DIST_POINT_num(crldp.get()), 1);
  const GENERAL_NAMES* full_name = sk_DIST_POINT_value(crldp.get(), 0)->distpoint->name.fullname;
  EXPECT_EQ(text(sk_GENERAL_NAME_value(full_name, 0)->d.uniformResourceIdentifier),
            "http://crl.example.test/ca.crl");

  // Key identifiers chain the leaf to its issuer.
  const ASN1_OCTET_STRING* ski = X509_get0_subject_key_id(x);
  const ASN1_OCTET_STRING* aki = X509_get0_authority_key_id(x);
  ASSERT_NE(ski, nullptr);
  ASSERT_NE(aki, nullptr);
  EXPECT_EQ(ASN1_OCTET_STRING_cmp(aki, X509_get0_subject_key_id(ca_.certificate.handle())), 0);
  EXPECT_NE(ASN1_OCTET_STRING_cmp(aki, ski), 0);
  EXPECT_EQ(X509_check_issued(ca_.certificate.handle(), x), X509_V_OK);
}

TEST_F(CertificateBuilderTest, RootsAreSelfSignedCasWithPathLength) {
  CertificateSpec spec = caSpec("Root", 2);
  spec.path_length = 1;
  const Issued root = issue(spec, nullptr);
  X509* x = root.certificate.handle();
  EXPECT_TRUE(root.certificate.isCa());
  EXPECT_EQ(X509_get_pathlen(x), 1);
  EXPECT_EQ(X509_get_key_usage(x), static_cast<std::uint32_t>(KU_KEY_CERT_SIGN | KU_CRL_SIGN));
  EXPECT_EQ(X509_check_issued(x, x), X509_V_OK);
  EXPECT_EQ(X509_verify(x, X509_get0_pubkey(x)), 1);
  EXPECT_EQ(ASN1_OCTET_STRING_cmp(X509_get0_authority_key_id(x), X509_get0_subject_key_id(x)), 0);
  EXPECT_EQ(root.certificate.subjectDn(), root.certificate.issuerDn());
}

TEST_F(CertificateBuilderTest, HashMatchesTheIssuerKey) {
  CertificateSpec spec = caSpec("P-384 Root", 3);
  PrivateKey p384 = PrivateKey::generate(KeyType::ec_p384);
  auto root = issueCertificate(spec, p384, nullptr, p384);
  ASSERT_TRUE(root);
  EXPECT_EQ(X509_get_signature_nid(root->handle()), NID_ecdsa_with_SHA384);
  EXPECT_EQ(X509_get_signature_nid(ca_.certificate.handle()), NID_ecdsa_with_SHA256);

  PrivateKey rsa = PrivateKey::generate(KeyType::rsa_2048);
  auto pkcs1 = issueCertificate(spec, rsa, nullptr, rsa);
  ASSERT_TRUE(pkcs1);
  EXPECT_EQ(X509_get_signature_nid(pkcs1->handle()), NID_sha256WithRSAEncryption);
  auto pss = issueCertificate(spec, rsa, nullptr, rsa, true);
  ASSERT_TRUE(pss) << pss.error().message;
  EXPECT_EQ(X509_get_signature_nid(pss->handle()), NID_rsassaPss);
  EXPECT_EQ(X509_verify(pss->handle(), X509_get0_pubkey(pss->handle())), 1);
  const auto dir = makeTempDir();
  writeText(dir / "pss.pem", pss->toPem());
  auto [status, output] = run("openssl x509 -noout -text -in " + (dir / "pss.pem").string());
  std::filesystem::remove_all(dir);
  EXPECT_NE(output.find("Salt Length: 0x20"), std::string::npos) << output;
  EXPECT_NE(output.find("Mask Algorithm: mgf1 with sha256"), std::string::npos) << output;

  EXPECT_FALSE(issueCertificate(spec, p384, nullptr, p384, true));  // PSS needs RSA
}

TEST_F(CertificateBuilderTest, RefusesInvalidSpecs) {
  const auto refused = [&](auto change) {
    CertificateSpec saved = spec_;
    change(spec_);
    auto result = issueLeaf(leaf_key_);
    spec_ = saved;
    return !result && result.error().kind == core::ErrorKind::invalid;
  };
  EXPECT_TRUE(refused([](CertificateSpec& s) { s.serial = {}; }));
  EXPECT_TRUE(refused([](CertificateSpec& s) { s.serial = {0x80, 0x01}; }));
  EXPECT_TRUE(refused([](CertificateSpec& s) { s.serial = {0x00, 0x00}; }));
  EXPECT_TRUE(refused([](CertificateSpec& s) { s.serial = std::vector<std::uint8_t>(21, 1); }));
  EXPECT_TRUE(refused([](CertificateSpec& s) { s.not_after = s.not_before; }));
  EXPECT_TRUE(refused([](CertificateSpec& s) { s.key_usage = {"everything"}; }));
  EXPECT_TRUE(refused([](CertificateSpec& s) { s.extended_key_usage = {"noSuchPurpose"}; }));
  EXPECT_TRUE(refused([](CertificateSpec& s) { s.ip_addresses = {"localhost"}; }));
  EXPECT_TRUE(refused([](CertificateSpec& s) { s.dns_names = {"bad\nname"}; }));
  EXPECT_TRUE(refused([](CertificateSpec& s) { s.email_addresses = {"zoë@voorbeeld.nl"}; }));
  EXPECT_TRUE(refused([](CertificateSpec& s) { s.policy_oids = {"not-an-oid"}; }));
  EXPECT_TRUE(refused([](CertificateSpec& s) { s.subject = {{"noSuchType", "x"}}; }));
  EXPECT_TRUE(refused([](CertificateSpec& s) { s.path_length = 0; }));  // not a CA
  EXPECT_TRUE(issueLeaf(leaf_key_));

  // The issuer key must belong to the issuer certificate.
  auto wrong = issueCertificate(spec_, leaf_key_, &ca_.certificate, leaf_key_);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().kind, core::ErrorKind::invalid);
  auto wrong_root = issueCertificate(spec_, leaf_key_, nullptr, ca_.key);
  EXPECT_FALSE(wrong_root);
}

}  // namespace
}  // namespace pki
