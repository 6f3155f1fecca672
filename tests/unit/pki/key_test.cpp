#include "pki/key.hpp"

#include "pki/openssl_handles.hpp"

#include <openssl/pem.h>

#include <gtest/gtest.h>

namespace pki {
namespace {

TEST(PrivateKeyTest, GeneratesEachCurveAndSize) {
  struct Case {
    KeyType type;
    const char* algorithm;
    int bits;
  };
  for (const Case& c : {Case{KeyType::ec_p256, "EC", 256}, Case{KeyType::ec_p384, "EC", 384},
                        Case{KeyType::rsa_2048, "RSA", 2048}}) {
    const PrivateKey key = PrivateKey::generate(c.type);
    EXPECT_TRUE(EVP_PKEY_is_a(key.handle(), c.algorithm));
    EXPECT_EQ(EVP_PKEY_get_bits(key.handle()), c.bits);
  }
}

TEST(PrivateKeyTest, PemRoundTripsAsPkcs8) {
  const PrivateKey key = PrivateKey::generate(KeyType::ec_p256);
  const std::string pem = key.toPem();
  EXPECT_TRUE(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
  auto read = PrivateKey::fromPem(pem);
  ASSERT_TRUE(read);
  EXPECT_EQ(EVP_PKEY_eq(read->handle(), key.handle()), 1);
  EXPECT_EQ(read->publicKeyPem(), key.publicKeyPem());
  EXPECT_TRUE(key.publicKeyPem().starts_with("-----BEGIN PUBLIC KEY-----\n"));
}

TEST(PrivateKeyTest, RefusesGarbageAndEncryptedKeysWithoutPrompting) {
  EXPECT_EQ(PrivateKey::fromPem("nonsense").error().kind, core::ErrorKind::invalid);
  const PrivateKey key = PrivateKey::generate(KeyType::ec_p256);
  detail::BioPtr bio(BIO_new(BIO_s_mem()));
  char password[] = "secret";
  ASSERT_EQ(PEM_write_bio_PKCS8PrivateKey(bio.get(), key.handle(), EVP_aes_256_cbc(), password, 6,
                                          nullptr, nullptr),
            1);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  EXPECT_EQ(PrivateKey::fromPem(std::string(data, size)).error().kind, core::ErrorKind::invalid);
  EXPECT_FALSE(PrivateKey::fromPem(key.publicKeyPem()));
}

TEST(PrivateKeyTest, FromHandleSharesTheKey) {
  const PrivateKey key = PrivateKey::generate(KeyType::ec_p256);
  const PrivateKey copy = PrivateKey::fromHandle(key.handle());
  EXPECT_EQ(copy.handle(), key.handle());
}

}  // namespace
}  // namespace pki
