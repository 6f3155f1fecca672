#include "pki/certificate_request.hpp"

#include "csr_test_support.hpp"
#include "pki/key.hpp"
#include "pki_test_support.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

namespace pki {
namespace {

using test::bytesOf;
using test::makeCsr;

TEST(CertificateRequestTest, ParsesPemAndDerAndReadsNames) {
  const PrivateKey key = PrivateKey::generate(KeyType::ec_p256);
  const std::string pem = makeCsr(
      key.handle(),
      {{{"C", "NL"}, {"CN", "www.voorbeeld.nl"}, {"CN", "tweede.nl"}},
       "DNS:www.voorbeeld.nl,DNS:voorbeeld.nl,IP:192.0.2.1,IP:2001:db8::1,email:a@voorbeeld.nl,"
       "URI:https://voorbeeld.nl/"});
  auto from_pem = CertificateRequest::parse(bytesOf(pem));
  ASSERT_TRUE(from_pem.has_value()) << from_pem.error().message;
  auto from_der = CertificateRequest::parse(from_pem->toDer());
  ASSERT_TRUE(from_der.has_value()) << from_der.error().message;
  EXPECT_EQ(from_der->toPem(), pem);

  EXPECT_TRUE(from_der->hasValidSignature());
  EXPECT_EQ(from_der->subjectAttributes("CN"),
            (std::vector<std::string>{"www.voorbeeld.nl", "tweede.nl"}));
  EXPECT_EQ(from_der->subjectAttributes("countryName"), std::vector<std::string>{"NL"});
  EXPECT_TRUE(from_der->subjectAttributes("O").empty());
  const RequestedNames names = from_der->requestedNames();
  EXPECT_EQ(names.dns_names, (std::vector<std::string>{"www.voorbeeld.nl", "voorbeeld.nl"}));
  EXPECT_EQ(names.ip_addresses, (std::vector<std::string>{"192.0.2.1", "2001:db8::1"}));
  EXPECT_EQ(names.other,
            (std::vector<std::string>{"email:a@voorbeeld.nl", "URI:https://voorbeeld.nl/"}));
}

TEST(CertificateRequestTest, ReadsTheLegacyPemLabelAndARequestWithoutExtensions) {
  const PrivateKey key = PrivateKey::generate(KeyType::ec_p256);
  std::string pem = makeCsr(key.handle(), {{{"CN", "a.nl"}}, ""});
  pem.replace(pem.find("BEGIN CERTIFICATE REQUEST"), 25, "BEGIN NEW CERTIFICATE REQUEST");
  pem.replace(pem.find("END CERTIFICATE REQUEST"), 23, "END NEW CERTIFICATE REQUEST");
  auto request = CertificateRequest::fromPem("\n" + pem);
  ASSERT_TRUE(request.has_value()) << request.error().message;
  const RequestedNames names = request->requestedNames();
  EXPECT_TRUE(names.dns_names.empty() && names.ip_addresses.empty() && names.other.empty());
}

TEST(CertificateRequestTest, RefusesGarbageTruncationTrailingBytesAndOversizedInput) {
  const PrivateKey key = PrivateKey::generate(KeyType::ec_p256);
  const std::string pem = makeCsr(key.handle(), "a.nl");
  EXPECT_FALSE(CertificateRequest::parse(bytesOf("no request here")).has_value());
  EXPECT_FALSE(CertificateRequest::parse(bytesOf(pem.substr(0, pem.size() / 2))).has_value());
  std::vector<std::uint8_t> der = CertificateRequest::fromPem(pem)->toDer();
  der.push_back(0);
  EXPECT_FALSE(CertificateRequest::parse(der).has_value());
  der.resize(der.size() / 2);
  EXPECT_FALSE(CertificateRequest::parse(der).has_value());
  const auto large =
      CertificateRequest::parse(std::vector<std::uint8_t>(CertificateRequest::max_size + 1, 0x30));
  ASSERT_FALSE(large.has_value());
  EXPECT_EQ(large.error().kind, core::ErrorKind::too_large);
}

TEST(CertificateRequestTest, DetectsABrokenSelfSignature) {
  const PrivateKey key = PrivateKey::generate(KeyType::rsa_2048);
  std::vector<std::uint8_t> der =
      CertificateRequest::fromPem(makeCsr(key.handle(), "a.nl"))->toDer();
  der.back() ^= 0x01;  // the last byte belongs to the signature
  auto request = CertificateRequest::fromDer(der);
  ASSERT_TRUE(request.has_value());
  EXPECT_FALSE(request->hasValidSignature());
}

TEST(PublicKeyTest, DescribesRsaAndEcKeysAndHashesTheirSubjectPublicKeyInfo) {
  const PrivateKey rsa = PrivateKey::generate(KeyType::rsa_2048);
  const PublicKey rsa_key =
      *CertificateRequest::fromPem(makeCsr(rsa.handle(), "a.nl"))->publicKey();
  EXPECT_EQ(rsa_key.algorithm(), KeyAlgorithm::rsa);
  EXPECT_EQ(rsa_key.bits(), 2048);
  EXPECT_EQ(rsa_key.rsaModulus().size(), 256u);
  EXPECT_EQ(rsa_key.rsaExponent(), (std::vector<std::uint8_t>{0x01, 0x00, 0x01}));
  EXPECT_EQ(rsa_key.curveName(), "");
  EXPECT_EQ(rsa_key.sha256Hex(), PublicKey::of(rsa).sha256Hex());
  EXPECT_EQ(rsa_key.sha256Hex().size(), 64u);

  const PrivateKey ec = PrivateKey::generate(KeyType::ec_p384);
  const PublicKey ec_key = PublicKey::of(ec);
  EXPECT_EQ(ec_key.algorithm(), KeyAlgorithm::ec);
  EXPECT_EQ(ec_key.curveName(), "secp384r1");
  EXPECT_EQ(ec_key.description(), "ECDSA P-384");
  EXPECT_TRUE(ec_key.rsaModulus().empty());
  EXPECT_NE(ec_key.sha256Hex(), rsa_key.sha256Hex());
  EXPECT_EQ(PublicKey::of(PrivateKey::fromHandle(test::generateKey("ED25519").get())).algorithm(),
            KeyAlgorithm::other);
}

TEST(PublicKeyTest, ReadsTheKeyOfACertificate) {
  const test::Issued issued = test::issue(test::caSpec("CA", 1), nullptr);
  EXPECT_EQ(PublicKey::ofCertificate(issued.certificate).sha256Hex(),
            PublicKey::of(issued.key).sha256Hex());
}

TEST(PublicKeyTest, FermatFactorsOnlyClosePrimes) {
  const test::BnPtr p = test::randomPrime(1024);
  const test::BnPtr close = test::nextPrime(p.get());
  const test::BnPtr far = test::randomPrime(1024);
  EXPECT_TRUE(hasFermatFactorization(
      test::rsaPublicKey(test::product(p.get(), close.get()).get()).rsaModulus(), 100));
  EXPECT_FALSE(hasFermatFactorization(
      test::rsaPublicKey(test::product(p.get(), far.get()).get()).rsaModulus(), 100));
  EXPECT_FALSE(hasFermatFactorization({}, 100));
}

// Primes 20·2^512 apart: Fermat needs about (p − q)² / (8√n) = 50 rounds, so a square that only
// shows up late is still found, and not before its round.
TEST(PublicKeyTest, FermatFindsASquareManyRoundsIn) {
  const test::BnPtr p = test::randomPrime(1024);
  const test::BnPtr apart = test::bignum();
  BN_set_word(apart.get(), 20);
  BN_lshift(apart.get(), apart.get(), 512);
  BN_add(apart.get(), apart.get(), p.get());
  const auto modulus =
      test::rsaPublicKey(test::product(p.get(), test::nextPrime(apart.get()).get()).get())
          .rsaModulus();
  EXPECT_TRUE(hasFermatFactorization(modulus, 100));
  EXPECT_FALSE(hasFermatFactorization(modulus, 40));
}

// The rounds skip the square root for numbers that cannot be squares: on small moduli, every
// answer is the one of trying each round in full.
TEST(PublicKeyTest, FermatAgreesWithTryingEveryRound) {
  const auto isqrt = [](std::uint64_t x) {
    auto root = static_cast<std::uint64_t>(std::sqrt(static_cast<double>(x)));
    while (root * root > x) --root;
    while ((root + 1) * (root + 1) <= x) ++root;
    return root;
  };
  const auto everyRound = [&](std::uint64_t n, int rounds) {
    std::uint64_t a = isqrt(n);
    if (a * a < n) ++a;
    for (int round = 0; round < rounds; ++round, ++a) {
      const std::uint64_t b = isqrt(a * a - n);
      if (b * b == a * a - n) return true;
    }
    return false;
  };
  const auto bytesOf = [](std::uint64_t n) {
    std::vector<std::uint8_t> bytes;
    for (; n > 0; n >>= 8) bytes.insert(bytes.begin(), static_cast<std::uint8_t>(n & 0xff));
    return bytes;
  };
  int found = 0;
  for (std::uint64_t p = 1001; p < 1400; p += 2) {
    for (std::uint64_t q = p; q < 3000; q += 34) {
      const std::uint64_t n = p * q;
      const bool expected = everyRound(n, 10);
      found += expected;
      ASSERT_EQ(hasFermatFactorization(bytesOf(n), 10), expected) << p << " · " << q;
    }
  }
  // Both answers occur, so the comparison means something.
  EXPECT_GT(found, 100);
  EXPECT_LT(found, 10000);
}

}  // namespace
}  // namespace pki
