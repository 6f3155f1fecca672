#include "policy/csr_rules.hpp"

#include "../pki/csr_test_support.hpp"
#include "fixtures.hpp"
#include "pki/key.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

namespace policy {
namespace {

using pki::test::bytesOf;
using pki::test::KeyPtr;
using pki::test::makeCsr;
using test::debianWeakKey;
using test::kSourceDir;
using test::kWeakKeys;
using test::readText;

// One P-256 key for the name tests: key generation is the slow part.
const pki::PrivateKey& p256Key() {
  static const pki::PrivateKey key = pki::PrivateKey::generate(pki::KeyType::ec_p256);
  return key;
}

EVP_PKEY* p256() {
  return p256Key().handle();
}

// The fixture's list of those keys, in openssl-blacklist format, computed with openssl and sha1sum.
const DebianWeakKeys& debianList() {
  static const DebianWeakKeys list =
      *DebianWeakKeys::parse(readText(kWeakKeys / "blacklist.RSA-2048"));
  return list;
}

// A key the Servicedesk has blocked.
const pki::PrivateKey& blockedKey() {
  static const pki::PrivateKey key = pki::PrivateKey::generate(pki::KeyType::ec_p256);
  return key;
}

// The lists the corpus is checked with: the fixture's Debian weak keys and blockedKey().
KnownBadKeys knownBadKeys() {
  return {{pki::PublicKey::of(blockedKey()).sha256Hex()}, &debianList()};
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

std::vector<std::uint8_t> signedWith(EVP_PKEY* key, const EVP_MD* digest) {
  return bytesOf(makeCsr(key, {{{"CN", "www.voorbeeld.nl"}}, "DNS:www.voorbeeld.nl", digest}));
}

std::vector<std::uint8_t> derCsr() {
  return pki::CertificateRequest::fromPem(makeCsr(p256(), "www.voorbeeld.nl"))->toDer();
}

std::vector<std::uint8_t> joined(std::vector<std::uint8_t> first,
                                 const std::vector<std::uint8_t>& second) {
  first.insert(first.end(), second.begin(), second.end());
  return first;
}

// A PEM CSR under another label, which no CSR reader takes.
std::vector<std::uint8_t> relabelled(const std::string& label) {
  std::string pem = makeCsr(p256(), "www.voorbeeld.nl");
  for (const std::string marker : {"BEGIN ", "END "}) {
    const std::size_t at = pem.find(marker + "CERTIFICATE REQUEST");
    pem.replace(at + marker.size(), std::string("CERTIFICATE REQUEST").size(), label);
  }
  return bytesOf(pem);
}

pki::test::BnPtr rocaPrime(int exponent);  // below, with the ROCA test

// A 2048-bit modulus 751 · q.
std::vector<std::uint8_t> smallFactorCsr() {
  pki::test::BnPtr small = pki::test::bignum();
  BN_set_word(small.get(), 751);
  for (;;) {
    const pki::test::BnPtr q = pki::test::randomPrime(2038);
    if (BN_num_bits(pki::test::product(small.get(), q.get()).get()) == 2048)
      return csrFor(pki::test::rsaKeyOf(small.get(), q.get()));
  }
}

std::vector<std::uint8_t> fermatCsr() {
  const pki::test::BnPtr p = pki::test::randomPrime(1024);
  return csrFor(pki::test::rsaKeyOf(p.get(), pki::test::nextPrime(p.get()).get()));
}

std::vector<std::uint8_t> rocaCsr() {
  return csrFor(pki::test::rsaKeyOf(rocaPrime(1234).get(), rocaPrime(4321).get()));
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
      // More than one object: which one was meant is unclear.
      {"two PEM CSRs",
       [] {
         return bytesOf(makeCsr(p256(), "www.voorbeeld.nl") + makeCsr(p256(), "a.voorbeeld.nl"));
       },
       "csr.multiple_objects"},
      {"PEM CSR and its public key",
       [] {
         return bytesOf(makeCsr(p256(), "www.voorbeeld.nl") +
                        pki::PublicKey::of(p256Key()).toPem());
       },
       "csr.multiple_objects"},
      {"public key before the PEM CSR",
       [] {
         return bytesOf(pki::PublicKey::of(p256Key()).toPem() +
                        makeCsr(p256(), "www.voorbeeld.nl"));
       },
       "csr.multiple_objects"},
      {"PEM CSR and its private key",
       [] { return bytesOf(makeCsr(p256(), "www.voorbeeld.nl") + p256Key().toPem()); },
       "csr.multiple_objects"},
      {"DER with a trailing byte", [] { return joined(derCsr(), {0x00}); }, "csr.multiple_objects"},
      {"two DER CSRs", [] { return joined(derCsr(), derCsr()); }, "csr.multiple_objects"},
      {"DER followed by PEM",
       [] { return joined(derCsr(), bytesOf(makeCsr(p256(), "www.voorbeeld.nl"))); },
       "csr.multiple_objects"},
      // Self-signatures with broken digests.
      {"ECDSA with SHA-1", [] { return signedWith(p256(), EVP_sha1()); }, "csr.weak_signature"},
      {"RSA with SHA-1",
       [] { return signedWith(pki::test::rsaKey(2048, 65537).get(), EVP_sha1()); },
       "csr.weak_signature"},
      {"RSA with MD5", [] { return signedWith(pki::test::rsaKey(2048, 65537).get(), EVP_md5()); },
       "csr.weak_signature"},
      {"SHA-1 on a Debian weak key",
       [] { return signedWith(debianWeakKey("0").handle(), EVP_sha1()); }, "csr.weak_signature"},
      // Labels that look internationalised but are no A-labels.
      {"xn-- decoding to a control character", [] { return namesCsr("", "DNS:xn--a.nl"); },
       "csr.name.idna"},
      {"xn-- of a symbol (snowman)", [] { return namesCsr("", "DNS:xn--n3h.voorbeeld.nl"); },
       "csr.name.idna"},
      {"xn-- of an emoji", [] { return namesCsr("", "DNS:xn--ls8h.nl"); }, "csr.name.idna"},
      {"xn-- not in NFC", [] { return namesCsr("", "DNS:xn--ucher-egd.nl"); }, "csr.name.idna"},
      {"xn-- starting with a combining mark", [] { return namesCsr("", "DNS:xn--abc-jdc.nl"); },
       "csr.name.idna"},
      {"xn-- that overflows", [] { return namesCsr("", "DNS:www.xn--99999999999.nl"); },
       "csr.name.idna"},
      {"invalid xn-- TLD", [] { return namesCsr("", "DNS:voorbeeld.xn--a"); }, "csr.name.idna"},
      {"invalid xn-- among valid names",
       [] { return namesCsr("", "DNS:xn--bcher-kva.nl,DNS:xn--n3h.nl"); }, "csr.name.idna"},
      // Known bad keys.
      {"Debian weak key 0",
       [] { return bytesOf(makeCsr(debianWeakKey("0").handle(), "www.voorbeeld.nl")); },
       "csr.weak_key.debian"},
      {"Debian weak key 1",
       [] { return bytesOf(makeCsr(debianWeakKey("1").handle(), "www.voorbeeld.nl")); },
       "csr.weak_key.debian"},
      {"Debian weak key 10",
       [] { return bytesOf(makeCsr(debianWeakKey("10").handle(), "www.voorbeeld.nl")); },
       "csr.weak_key.debian"},
      {"blocklisted key",
       [] { return bytesOf(makeCsr(blockedKey().handle(), "www.voorbeeld.nl")); },
       "csr.weak_key.blocklisted"},
      // More keys that are not allowed.
      {"modulus with a small factor", smallFactorCsr, "csr.weak_key.small_factor"},
      {"Fermat-close primes", fermatCsr, "csr.weak_key.fermat"},
      {"ROCA fingerprint", rocaCsr, "csr.weak_key.roca"},
      {"RSA 1536", [] { return csrFor(pki::test::rsaKey(1536, 65537)); }, "csr.key.rsa_size"},
      {"RSA exponent 17", [] { return csrFor(pki::test::rsaKey(2048, 17)); },
       "csr.key.rsa_exponent"},
      {"EC P-224", [] { return csrFor(pki::test::generateKey("EC", "secp224r1")); },
       "csr.key.ec_curve"},
      {"Ed448", [] { return csrFor(pki::test::generateKey("ED448")); }, "csr.key.type"},
      // More names that are not allowed.
      {"localhost", [] { return namesCsr("", "DNS:localhost"); }, "csr.name.internal"},
      {".test", [] { return namesCsr("", "DNS:www.voorbeeld.test"); }, "csr.name.internal"},
      {".example", [] { return namesCsr("", "DNS:www.voorbeeld.example"); }, "csr.name.internal"},
      {".onion", [] { return namesCsr("", "DNS:abcdef.onion"); }, "csr.name.internal"},
      {".arpa", [] { return namesCsr("", "DNS:1.2.0.192.in-addr.arpa"); }, "csr.name.internal"},
      {".home", [] { return namesCsr("", "DNS:nas.home"); }, "csr.name.internal"},
      {".lan", [] { return namesCsr("", "DNS:printer.lan"); }, "csr.name.internal"},
      {"IPv6 SAN", [] { return namesCsr("", "DNS:www.voorbeeld.nl,IP:2001:db8::1"); },
       "csr.sans.ip_address"},
      {"IPv6 as DNS name", [] { return namesCsr("", "DNS:2001:db8::1"); }, "csr.name.ip_address"},
      {"IPv6 as CN", [] { return namesCsr("2001:db8::1", "DNS:www.voorbeeld.nl"); },
       "csr.cn.ip_address"},
      {"wildcard in the middle", [] { return namesCsr("", "DNS:www.*.voorbeeld.nl"); },
       "csr.name.wildcard"},
      {"trailing hyphen", [] { return namesCsr("", "DNS:www-.voorbeeld.nl"); }, "csr.name.syntax"},
      {"exclamation mark", [] { return namesCsr("", "DNS:www!.voorbeeld.nl"); }, "csr.name.syntax"},
      {"label over 63 in the TLD", [] { return namesCsr("", "DNS:voorbeeld." + kLongLabel); },
       "csr.name.label_too_long"},
      {"RID SAN", [] { return namesCsr("", "DNS:www.voorbeeld.nl,RID:1.2.3.4"); },
       "csr.sans.unsupported_type"},
      {"otherName SAN",
       [] {
         return namesCsr("", "DNS:www.voorbeeld.nl,otherName:1.3.6.1.4.1.311.20.2.3;UTF8:a@b.nl");
       },
       "csr.sans.unsupported_type"},
      {"CN in another domain", [] { return namesCsr("www.voorbeeld.com", "DNS:www.voorbeeld.nl"); },
       "csr.cn.not_in_sans"},
      {"three CNs",
       [] {
         return bytesOf(makeCsr(
             p256(),
             {{{"CN", "a.voorbeeld.nl"}, {"CN", "b.voorbeeld.nl"}, {"CN", "c.voorbeeld.nl"}},
              "DNS:a.voorbeeld.nl,DNS:b.voorbeeld.nl,DNS:c.voorbeeld.nl"}));
       },
       "csr.cn.multiple"},
      // Not a CSR at all.
      {"CSR labelled as a certificate", [] { return relabelled("CERTIFICATE"); }, "csr.unreadable"},
      {"only a private key", [] { return bytesOf(p256Key().toPem()); }, "csr.unreadable"},
      {"only a public key", [] { return bytesOf(pki::PublicKey::of(p256Key()).toPem()); },
       "csr.unreadable"},
  };
  return bad;
}

// The text of `key` ("csr.name.idna") in a message catalogue: the line "idna = " in its table
// "[csr.name]"; "" if there is none.
std::string catalogueText(const std::string& catalogue, const std::string& key) {
  const std::size_t dot = key.rfind('.');
  const std::string table = "[" + key.substr(0, dot) + "]\n";
  const std::string entry = "\n" + key.substr(dot + 1) + " = ";
  const std::size_t start = catalogue.find(table);
  if (start == catalogue.npos) return "";
  const std::size_t end = std::min(catalogue.find("\n[", start + 1), catalogue.size());
  const std::size_t at = catalogue.find(entry, start);
  if (at == catalogue.npos || at > end) return "";
  return catalogue.substr(at + entry.size(), catalogue.find('\n', at + 1) - at - entry.size());
}

TEST(CsrRulesTest, RefusesEveryBadCsrOfTheCorpusWithItsOwnMessage) {
  ASSERT_GE(corpus().size(), 60u);
  const std::string dutch = readText(kSourceDir / "src/web/messages/nl/csr.toml");
  const std::string english = readText(kSourceDir / "src/web/messages/en/csr.toml");
  std::set<std::string> keys;
  for (const BadCsr& bad : corpus()) {
    SCOPED_TRACE(bad.what);
    expectRefused(checkCsr(bad.make(), knownBadKeys()), bad.key);
    // The message the customer reads (the web layer shows these texts for the key).
    EXPECT_GT(catalogueText(dutch, bad.key).size(), 20u) << "no Dutch text for " << bad.key;
    EXPECT_GT(catalogueText(english, bad.key).size(), 20u) << "no English text for " << bad.key;
    keys.insert(bad.key);
  }
  // Every rule of checkCsr has at least one bad CSR (the renewal and login keys are order rules).
  for (const char* rule : {"csr.unreadable",          "csr.too_large",
                           "csr.multiple_objects",    "csr.weak_signature",
                           "csr.bad_signature",       "csr.key.type",
                           "csr.key.rsa_size",        "csr.key.rsa_exponent",
                           "csr.key.ec_curve",        "csr.weak_key.small_factor",
                           "csr.weak_key.fermat",     "csr.weak_key.roca",
                           "csr.weak_key.debian",     "csr.weak_key.blocklisted",
                           "csr.sans.none",           "csr.sans.too_many",
                           "csr.sans.ip_address",     "csr.sans.unsupported_type",
                           "csr.sans.duplicate",      "csr.name.ip_address",
                           "csr.name.wildcard",       "csr.name.internal",
                           "csr.name.trailing_dot",   "csr.name.underscore",
                           "csr.name.label_too_long", "csr.name.too_long",
                           "csr.name.syntax",         "csr.name.idna",
                           "csr.cn.not_in_sans",      "csr.cn.ip_address",
                           "csr.cn.multiple"})
    EXPECT_TRUE(keys.contains(rule)) << "no bad CSR in the corpus for " << rule;
}

TEST(CsrRulesTest, TheSameWeakKeysPassWithoutTheLists) {
  // The refusals above come from the lists, not from the keys themselves.
  for (const std::string name : {"0", "1", "10"}) {
    SCOPED_TRACE(name);
    EXPECT_TRUE(checkCsr(bytesOf(makeCsr(debianWeakKey(name).handle(), "www.voorbeeld.nl")), {}));
  }
  EXPECT_TRUE(checkCsr(bytesOf(makeCsr(blockedKey().handle(), "www.voorbeeld.nl")), {}));
}

TEST(CsrRulesTest, AcceptsValidALabels) {
  for (const char* name : {"xn--bcher-kva.nl", "www.xn--mnchen-3ya.de", "xn--80ak6aa92e.com",
                           "xn--fiqs8s.voorbeeld.nl", "straße.nl"}) {
    SCOPED_TRACE(name);
    if (std::string(name).find("ß") != std::string::npos) {
      // A U-label is no DNS name: only A-labels are written in certificates.
      expectRefused(checkDnsName(name), "csr.name.syntax");
    } else {
      EXPECT_TRUE(checkDnsName(name).has_value()) << checkDnsName(name).error().message;
    }
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
  ASSERT_TRUE(checkCsr(csr, KnownBadKeys{{"00"}}).has_value());
  expectRefused(checkCsr(csr, KnownBadKeys{{pki::PublicKey::of(key).sha256Hex()}}),
                "csr.weak_key.blocklisted");
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
