#include "policy/csr_rules.hpp"

#include "../pki/csr_test_support.hpp"
#include "pki/key.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

namespace policy {
namespace {

using pki::test::bytesOf;
using pki::test::KeyPtr;
using pki::test::makeCsr;

// One P-256 key for the name tests: key generation is the slow part.
EVP_PKEY* p256() {
  static const pki::PrivateKey key = pki::PrivateKey::generate(pki::KeyType::ec_p256);
  return key.handle();
}

std::string repeated(const std::string& text, std::size_t times, const std::string& separator) {
  std::string result;
  for (std::size_t i = 0; i < times; ++i) result += (i ? separator : "") + text;
  return result;
}

void expectRefused(const core::Result<CheckedCsr>& result, const std::string& key) {
  ASSERT_FALSE(result.has_value()) << "accepted, expected " << key;
  EXPECT_EQ(result.error().message, key);
  EXPECT_EQ(result.error().fields, (std::vector<core::FieldError>{{"csr", key}}));
}

void expectRefused(const core::Result<void>& result, const std::string& key) {
  ASSERT_FALSE(result.has_value()) << "accepted, expected " << key;
  EXPECT_EQ(result.error().message, key);
}

/// One bad CSR of the corpus: how to make it and the message it must get.
struct BadCsr {
  const char* what;
  std::function<std::vector<std::uint8_t>()> make;
  std::string key;
};

std::vector<std::uint8_t> csrFor(const KeyPtr& key) {
  return bytesOf(makeCsr(key.get(), "www.voorbeeld.nl"));
}

std::vector<std::uint8_t> namesCsr(const std::string& cn, const std::string& alt_names) {
  pki::test::CsrSpec spec{{}, alt_names};
  if (!cn.empty()) spec.subject.emplace_back("CN", cn);
  return bytesOf(makeCsr(p256(), spec));
}

std::vector<std::uint8_t> brokenSignature() {
  std::vector<std::uint8_t> der =
      pki::CertificateRequest::fromPem(makeCsr(p256(), "www.voorbeeld.nl"))->toDer();
  der.back() ^= 0x01;  // inside the signature's s value
  return der;
}

std::vector<std::uint8_t> truncatedPem() {
  const std::string pem = makeCsr(p256(), "www.voorbeeld.nl");
  return bytesOf(pem.substr(0, pem.size() * 2 / 3));
}

const std::string kLongLabel(64, 'a');

const std::vector<BadCsr>& corpus() {
  static const std::vector<BadCsr> bad = {
      {"garbage", [] { return bytesOf("dit is geen CSR"); }, "csr.unreadable"},
      {"empty", [] { return std::vector<std::uint8_t>(); }, "csr.unreadable"},
      {"DER garbage",
       [] {
         return std::vector<std::uint8_t>{0x30, 0x82, 0x01};
       },
       "csr.unreadable"},
      {"truncated PEM", truncatedPem, "csr.unreadable"},
      {"too large",
       [] { return std::vector<std::uint8_t>(pki::CertificateRequest::max_size + 1, 'A'); },
       "csr.too_large"},
      {"broken self-signature", brokenSignature, "csr.bad_signature"},
      {"RSA 1024", [] { return csrFor(pki::test::rsaKey(1024, 65537)); }, "csr.key.rsa_size"},
      {"RSA exponent 3", [] { return csrFor(pki::test::rsaKey(2048, 3)); }, "csr.key.rsa_exponent"},
      {"DSA", [] { return csrFor(pki::test::dsaKey()); }, "csr.key.type"},
      {"Ed25519", [] { return csrFor(pki::test::generateKey("ED25519")); }, "csr.key.type"},
      {"EC P-521", [] { return csrFor(pki::test::generateKey("EC", "secp521r1")); },
       "csr.key.ec_curve"},
      {"EC secp256k1", [] { return csrFor(pki::test::generateKey("EC", "secp256k1")); },
       "csr.key.ec_curve"},
      {"IP address SAN", [] { return namesCsr("", "DNS:www.voorbeeld.nl,IP:192.0.2.1"); },
       "csr.sans.ip_address"},
      {"IP address as CN", [] { return namesCsr("192.0.2.1", "DNS:www.voorbeeld.nl"); },
       "csr.cn.ip_address"},
      {"IP address as DNS name", [] { return namesCsr("", "DNS:192.0.2.1"); },
       "csr.name.ip_address"},
      {"wildcard", [] { return namesCsr("", "DNS:*.voorbeeld.nl"); }, "csr.name.wildcard"},
      {"single label", [] { return namesCsr("intranet", "DNS:intranet"); }, "csr.name.internal"},
      {".local", [] { return namesCsr("", "DNS:server.local"); }, "csr.name.internal"},
      {".internal", [] { return namesCsr("", "DNS:db.corp.internal"); }, "csr.name.internal"},
      {"underscore", [] { return namesCsr("", "DNS:mail_server.voorbeeld.nl"); },
       "csr.name.underscore"},
      {"label over 63", [] { return namesCsr("", "DNS:" + kLongLabel + ".voorbeeld.nl"); },
       "csr.name.label_too_long"},
      {"name over 253",
       [] { return namesCsr("", "DNS:" + repeated(std::string(63, 'a'), 4, ".") + ".nl"); },
       "csr.name.too_long"},
      {"trailing dot", [] { return namesCsr("", "DNS:www.voorbeeld.nl."); },
       "csr.name.trailing_dot"},
      {"numeric TLD", [] { return namesCsr("", "DNS:www.voorbeeld.123"); }, "csr.name.syntax"},
      {"leading hyphen", [] { return namesCsr("", "DNS:-www.voorbeeld.nl"); }, "csr.name.syntax"},
      {"empty label", [] { return namesCsr("", "DNS:www..voorbeeld.nl"); }, "csr.name.syntax"},
      {"CN not in SANs", [] { return namesCsr("www.voorbeeld.nl", "DNS:voorbeeld.nl"); },
       "csr.cn.not_in_sans"},
      {"two CNs",
       [] {
         return bytesOf(makeCsr(p256(), {{{"CN", "a.voorbeeld.nl"}, {"CN", "b.voorbeeld.nl"}},
                                         "DNS:a.voorbeeld.nl,DNS:b.voorbeeld.nl"}));
       },
       "csr.cn.multiple"},
      {"no SANs", [] { return namesCsr("www.voorbeeld.nl", ""); }, "csr.sans.none"},
      {"101 SANs",
       [] {
         std::string names;
         for (int i = 0; i < 101; ++i)
           names += (i ? ",DNS:h" : "DNS:h") + std::to_string(i) + ".nl";
         return namesCsr("", names);
       },
       "csr.sans.too_many"},
      {"duplicate SAN", [] { return namesCsr("", "DNS:a.voorbeeld.nl,DNS:A.voorbeeld.nl"); },
       "csr.sans.duplicate"},
      {"e-mail SAN", [] { return namesCsr("", "DNS:www.voorbeeld.nl,email:a@voorbeeld.nl"); },
       "csr.sans.unsupported_type"},
      {"URI SAN", [] { return namesCsr("", "DNS:www.voorbeeld.nl,URI:https://voorbeeld.nl"); },
       "csr.sans.unsupported_type"},
  };
  return bad;
}

TEST(CsrRulesTest, RefusesEveryBadCsrOfTheCorpusWithItsOwnMessage) {
  ASSERT_GE(corpus().size(), 20u);
  for (const BadCsr& bad : corpus()) {
    SCOPED_TRACE(bad.what);
    expectRefused(checkCsr(bad.make(), {}), bad.key);
  }
}

TEST(CsrRulesTest, TooLargeInputIsATooLargeError) {
  const auto result = checkCsr(std::vector<std::uint8_t>(20 * 1024, 'A'), {});
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().kind, core::ErrorKind::too_large);
}

TEST(CsrRulesTest, RefusesABlocklistedKey) {
  const pki::PrivateKey key = pki::PrivateKey::generate(pki::KeyType::ec_p256);
  const std::vector<std::uint8_t> csr = bytesOf(makeCsr(key.handle(), "www.voorbeeld.nl"));
  ASSERT_TRUE(checkCsr(csr, {"00"}).has_value());
  expectRefused(checkCsr(csr, {pki::PublicKey::of(key).sha256Hex()}), "csr.weak_key.blocklisted");
}

TEST(CsrRulesTest, AcceptsGoodRsaAndEcCsrs) {
  for (const pki::KeyType type :
       {pki::KeyType::rsa_2048, pki::KeyType::rsa_3072, pki::KeyType::rsa_4096,
        pki::KeyType::ec_p256, pki::KeyType::ec_p384}) {
    const pki::PrivateKey key = pki::PrivateKey::generate(type);
    const auto checked =
        checkCsr(bytesOf(makeCsr(key.handle(),
                                 {{{"O", "Voorbeeld"}, {"CN", "WWW.Voorbeeld.nl"}},
                                  "DNS:voorbeeld.nl,DNS:www.voorbeeld.nl,DNS:xn--bcher-kva.nl"})),
                 {});
    ASSERT_TRUE(checked.has_value()) << checked.error().message;
    EXPECT_EQ(checked->dns_names,
              (std::vector<std::string>{"voorbeeld.nl", "www.voorbeeld.nl", "xn--bcher-kva.nl"}));
    EXPECT_EQ(checked->common_name, "www.voorbeeld.nl");
    EXPECT_EQ(checked->key_description, pki::PublicKey::of(key).description());
    EXPECT_EQ(checked->key_sha256, pki::PublicKey::of(key).sha256Hex());
  }
}

TEST(CsrRulesTest, AcceptsACsrWithoutCommonNameAndAHundredSans) {
  std::string names;
  for (int i = 0; i < 100; ++i) names += (i ? ",DNS:h" : "DNS:h") + std::to_string(i) + ".nl";
  const auto checked = checkCsr(namesCsr("", names), {});
  ASSERT_TRUE(checked.has_value()) << checked.error().message;
  EXPECT_EQ(checked->dns_names.size(), 100u);
  EXPECT_FALSE(checked->common_name.has_value());
  EXPECT_EQ(checked->key_description, "ECDSA P-256");
}

TEST(CsrRulesTest, RefusesOversizedRsaKeys) {
  pki::test::BnPtr n = pki::test::bignum();
  BN_rand(n.get(), 8192, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ODD);
  expectRefused(checkPublicKey(pki::test::rsaPublicKey(n.get()), {}), "csr.key.rsa_size");
}

TEST(CsrRulesTest, RefusesAModulusWithASmallFactor) {
  // A 2048-bit odd multiple of 3: n ≡ 3 (mod 6).
  pki::test::BnPtr n = pki::test::bignum();
  BN_rand(n.get(), 2048, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ODD);
  BN_sub_word(n.get(), BN_mod_word(n.get(), 6));
  BN_add_word(n.get(), 3);
  expectRefused(checkPublicKey(pki::test::rsaPublicKey(n.get()), {}), "csr.weak_key.small_factor");
}

// The remainders are taken for groups of primes at once: a factor from the first, a middle and
// the last group, and the largest prime tried (751), is each found.
TEST(CsrRulesTest, RefusesAModulusWithAFactorFromAnyGroupOfSmallPrimes) {
  for (const unsigned prime : {5u, 127u, 401u, 743u, 751u}) {
    pki::test::BnPtr n = pki::test::bignum();
    BN_rand(n.get(), 2048, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ODD);
    BN_sub_word(n.get(), BN_mod_word(n.get(), prime));
    if (!BN_is_odd(n.get())) BN_add_word(n.get(), prime);
    SCOPED_TRACE(prime);
    expectRefused(checkPublicKey(pki::test::rsaPublicKey(n.get()), {}),
                  "csr.weak_key.small_factor");
  }
}

TEST(CsrRulesTest, RefusesFermatClosePrimes) {
  const pki::test::BnPtr p = pki::test::randomPrime(1024);
  const pki::test::BnPtr q = pki::test::nextPrime(p.get());
  expectRefused(
      checkPublicKey(pki::test::rsaPublicKey(pki::test::product(p.get(), q.get()).get()), {}),
      "csr.weak_key.fermat");
}

// A prime of the Infineon form k·M + (65537^a mod M), M the product of the primes below 168.
pki::test::BnPtr rocaPrime(int exponent) {
  std::unique_ptr<BN_CTX, decltype(&BN_CTX_free)> ctx(BN_CTX_new(), BN_CTX_free);
  pki::test::BnPtr m = pki::test::bignum();
  BN_one(m.get());
  for (unsigned p = 2; p < 168; ++p) {
    bool prime = true;
    for (unsigned d = 2; d * d <= p; ++d) prime = prime && p % d != 0;
    if (prime) BN_mul_word(m.get(), p);
  }
  pki::test::BnPtr base = pki::test::bignum();
  pki::test::BnPtr a = pki::test::bignum();
  pki::test::BnPtr power = pki::test::bignum();
  BN_set_word(base.get(), 65537);
  BN_set_word(a.get(), static_cast<unsigned>(exponent));
  BN_mod_exp(power.get(), base.get(), a.get(), m.get(), ctx.get());
  // k in [3·2^1022 / M, 2^1024 / M): the prime lies in [¾·2^1024, 2^1024), so that the
  // product of two such primes has exactly 2048 bits.
  pki::test::BnPtr low = pki::test::bignum();
  pki::test::BnPtr span = pki::test::bignum();
  BN_set_word(low.get(), 3);
  BN_lshift(low.get(), low.get(), 1022);
  BN_div(low.get(), nullptr, low.get(), m.get(), ctx.get());
  BN_set_bit(span.get(), 1024);
  BN_div(span.get(), nullptr, span.get(), m.get(), ctx.get());
  BN_sub(span.get(), span.get(), low.get());
  pki::test::BnPtr candidate = pki::test::bignum();
  pki::test::BnPtr k = pki::test::bignum();
  do {
    BN_rand_range(k.get(), span.get());
    BN_add(k.get(), k.get(), low.get());
    BN_mul(candidate.get(), k.get(), m.get(), ctx.get());
    BN_add(candidate.get(), candidate.get(), power.get());
  } while (BN_check_prime(candidate.get(), ctx.get(), nullptr) != 1);
  return candidate;
}

TEST(CsrRulesTest, RefusesAKeyWithTheRocaFingerprint) {
  const pki::test::BnPtr n = pki::test::product(rocaPrime(1234).get(), rocaPrime(4321).get());
  ASSERT_EQ(BN_num_bits(n.get()), 2048);
  expectRefused(checkPublicKey(pki::test::rsaPublicKey(n.get()), {}), "csr.weak_key.roca");
}

TEST(CsrRulesTest, RefusesARenewalKeyEqualToTheOldOrTheLoginKey) {
  EXPECT_TRUE(checkRenewalKey("aa", "bb").has_value());
  expectRefused(checkRenewalKey("aa", "aa"), "csr.key.same_as_old");
  EXPECT_TRUE(checkNotLoginKey("aa", "bb").has_value());
  expectRefused(checkNotLoginKey("aa", "aa"), "csr.key.same_as_login");
}

TEST(CsrRulesTest, ChecksDnsNamesDirectly) {
  EXPECT_TRUE(checkDnsName("a.b.voorbeeld.nl").has_value());
  EXPECT_TRUE(checkDnsName(std::string(63, 'a') + ".nl").has_value());
  expectRefused(checkDnsName("2001:db8::1"), "csr.name.ip_address");
  expectRefused(checkDnsName("host.localhost"), "csr.name.internal");
  expectRefused(checkDnsName("bad!name.nl"), "csr.name.syntax");
  expectRefused(checkDnsName(""), "csr.name.internal");
}

}  // namespace
}  // namespace policy
