#include "ca/signer.hpp"

#include "ca_test_support.hpp"
#include "pki/crypto.hpp"
#include "pki/public_key.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

namespace {

using ca_test::CaTest;

constexpr char kSoftHsm[] = "/usr/lib/softhsm/libsofthsm2.so";

TEST_F(CaTest, KeyFileSignerReadsAPemKey) {
  ca_test::writeFile(dir_.path() / "ca.key", tls_key_.toPem());
  auto signer = ca::KeyFileSigner::open(dir_.path() / "ca.key");
  ASSERT_TRUE(signer) << signer.error().message;
  EXPECT_EQ((*signer)->key().publicKeyPem(), tls_key_.publicKeyPem());
  EXPECT_FALSE(ca::KeyFileSigner::open(dir_.path() / "missing.key"));
}

TEST_F(CaTest, Pkcs11SignerSignsWithAKeyInASoftHsmToken) {
  if (!std::filesystem::exists(kSoftHsm) ||
      std::system("command -v softhsm2-util >/dev/null") != 0 ||
      std::system("command -v pkcs11-tool >/dev/null") != 0) {
    GTEST_SKIP() << "softhsm2 or opensc not installed";
  }
  // A token of our own: SOFTHSM2_CONF points SoftHSM at a directory inside the test's temp dir.
  const auto tokens = dir_.path() / "tokens";
  std::filesystem::create_directories(tokens);
  ca_test::writeFile(dir_.path() / "softhsm2.conf", "directories.tokendir = " + tokens.string() +
                                                        "\nobjectstore.backend = file\n"
                                                        "log.level = ERROR\n");
  ::setenv("SOFTHSM2_CONF", (dir_.path() / "softhsm2.conf").c_str(), 1);
  const auto out = dir_.path() / "p11.out";
  auto [status, output] = ca_test::run(
      "softhsm2-util --init-token --free --label mijncert-ca --so-pin 5678 --pin 1234", out);
  ASSERT_EQ(status, 0) << output;
  // The TLS CA's key, as PKCS#8 DER, imported into the token under the label "tls-ca".
  ca_test::writeFile(dir_.path() / "ca.key", tls_key_.toPem());
  std::tie(status, output) = ca_test::run("openssl pkcs8 -topk8 -nocrypt -outform DER -in " +
                                              (dir_.path() / "ca.key").string() + " -out " +
                                              (dir_.path() / "ca.der").string(),
                                          out);
  ASSERT_EQ(status, 0) << output;
  std::tie(status, output) =
      ca_test::run(std::string("pkcs11-tool --module ") + kSoftHsm +
                       " --token-label mijncert-ca --login --pin 1234 --write-object " +
                       (dir_.path() / "ca.der").string() + " --type privkey --label tls-ca --id 01",
                   out);
  ASSERT_EQ(status, 0) << output;

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
