#include "ca/signer.hpp"

#include "../pki/softhsm_test_support.hpp"
#include "ca_test_support.hpp"
#include "pki/crypto.hpp"
#include "pki/public_key.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

namespace {

using ca_test::CaTest;

constexpr const char* kSoftHsm = pki::test::kSoftHsmModule;

TEST_F(CaTest, KeyFileSignerReadsAPemKey) {
  ca_test::writeFile(dir_.path() / "ca.key", tls_key_.toPem());
  auto signer = ca::KeyFileSigner::open(dir_.path() / "ca.key");
  ASSERT_TRUE(signer) << signer.error().message;
  EXPECT_EQ((*signer)->key().publicKeyPem(), tls_key_.publicKeyPem());
  EXPECT_FALSE(ca::KeyFileSigner::open(dir_.path() / "missing.key"));
}

TEST_F(CaTest, Pkcs11SignerSignsWithAKeyInASoftHsmToken) {
  if (!pki::test::softHsmAvailable()) GTEST_SKIP() << "softhsm2 or opensc not installed";
  // A token of our own, holding the TLS CA's key under the label "tls-ca".
  pki::test::SoftHsmToken token(dir_.path(), "mijncert-ca");
  token.importKey(tls_key_, "tls-ca", "01");
  ASSERT_FALSE(HasFatalFailure());
  int status = 0;
  std::string output;
  const auto out = dir_.path() / "p11.out";

  EXPECT_FALSE(ca::Pkcs11Signer::open({kSoftHsm, "mijncert-ca", "tls-ca", "0000"}));
  EXPECT_FALSE(ca::Pkcs11Signer::open({kSoftHsm, "mijncert-ca", "no-such-key", "1234"}));
  auto signer = ca::Pkcs11Signer::open({kSoftHsm, "mijncert-ca", "tls-ca", "1234"});
  ASSERT_TRUE(signer) << signer.error().message;

  pki::SystemRandom random;
  auto ca = authority(random, signer->get());
  auto issued =
      ca->issue(serverRequest(),
                pki::PublicKey::of(pki::PrivateKey::generate(pki::KeyType::ec_p256)), actor_);
  ASSERT_TRUE(issued) << issued.error().message;
  std::tie(status, output) = verify(issued->pem, "sslserver");
  EXPECT_EQ(status, 0) << output;
  // The CRL is signed in the token too.
  auto crl = ca->publishCrl("tls-ca");
  ASSERT_TRUE(crl) << crl.error().message;
  std::tie(status, output) =
      ca_test::run("openssl crl -noout -in " + (dir_.path() / "tls-ca.crl").string() + " -CAfile " +
                       (dir_.path() / "chain.pem").string(),
                   out);
  EXPECT_EQ(status, 0) << output;
  EXPECT_NE(output.find("verify OK"), std::string::npos) << output;
}

}  // namespace
