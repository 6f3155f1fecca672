#include "pki/openssl_support.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace pki::detail {

core::Error opensslError(core::ErrorKind kind, std::string_view what) {
  std::string message(what);
  if (const unsigned long code = ERR_peek_error(); code != 0) {
    char reason[256];
    ERR_error_string_n(code, reason, sizeof reason);
    message += ": ";
    message += reason;
  }
  ERR_clear_error();
  return core::makeError(kind, std::move(message));
}

BioPtr memoryBio(std::string_view data) {
  return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

BioPtr memoryBio(std::span<const std::uint8_t> data) {
  return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

BioPtr writableBio() {
  return BioPtr(BIO_new(BIO_s_mem()));
}

std::string bioText(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string();
}

bool reachedEndOfPem() {
  const unsigned long code = ERR_peek_last_error();
  const bool end = ERR_GET_LIB(code) == ERR_LIB_PEM && ERR_GET_REASON(code) == PEM_R_NO_START_LINE;
  if (end) ERR_clear_error();
  return end;
}

core::TimePoint fromAsn1Time(const ASN1_TIME* time) {
  std::tm tm{};
  if (time == nullptr || ASN1_TIME_to_tm(time, &tm) != 1) return core::TimePoint{};
  return core::TimePoint{std::chrono::seconds{timegm(&tm)}};
}

Asn1TimePtr toAsn1Time(core::TimePoint time) {
  return Asn1TimePtr(ASN1_TIME_set(nullptr, static_cast<time_t>(time.time_since_epoch().count())));
}

std::string integerToHex(const ASN1_INTEGER* integer) {
  BigNumPtr number(ASN1_INTEGER_to_BN(integer, nullptr));
  if (!number) return {};
  char* hex = BN_bn2hex(number.get());
  if (hex == nullptr) return {};
  std::string text(hex);
  OPENSSL_free(hex);
  // BN_bn2hex pads to whole bytes ("0A"); the project's form has no leading zeros ("a").
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const bool negative = !text.empty() && text.front() == '-';
  const std::size_t digits = negative ? 1 : 0;
  const std::size_t first = text.find_first_not_of('0', digits);
  if (first == std::string::npos) return "0";
  text.erase(digits, first - digits);
  return text;
}

Asn1IntegerPtr integerFromHex(std::string_view hex) {
  if (hex.empty() || hex.size() > 80 ||
      !std::all_of(hex.begin(), hex.end(), [](unsigned char c) { return std::isxdigit(c); })) {
    return nullptr;
  }
  const std::string text(hex);
  BIGNUM* raw = nullptr;
  if (BN_hex2bn(&raw, text.c_str()) != static_cast<int>(text.size())) {
    BN_free(raw);
    return nullptr;
  }
  BigNumPtr number(raw);
  return Asn1IntegerPtr(BN_to_ASN1_INTEGER(number.get(), nullptr));
}

core::Result<EvpMdCtxPtr> signingContext(EVP_PKEY* key, bool rsa_pss) {
  const bool is_rsa = EVP_PKEY_is_a(key, "RSA");
  const bool is_ec = EVP_PKEY_is_a(key, "EC");
  if (!is_rsa && !is_ec)
    return core::makeError(core::ErrorKind::invalid, "unsupported signing key");
  if (rsa_pss && !is_rsa) {
    return core::makeError(core::ErrorKind::invalid, "RSA-PSS needs an RSA key");
  }
  const EVP_MD* digest = is_ec && EVP_PKEY_get_bits(key) >= 384 ? EVP_sha384() : EVP_sha256();
  EvpMdCtxPtr context(EVP_MD_CTX_new());
  EVP_PKEY_CTX* key_context = nullptr;
  if (!context || EVP_DigestSignInit(context.get(), &key_context, digest, nullptr, key) != 1) {
    return opensslError(core::ErrorKind::internal, "cannot start signing");
  }
  if (rsa_pss && (EVP_PKEY_CTX_set_rsa_padding(key_context, RSA_PKCS1_PSS_PADDING) != 1 ||
                  EVP_PKEY_CTX_set_rsa_pss_saltlen(key_context, RSA_PSS_SALTLEN_DIGEST) != 1 ||
                  EVP_PKEY_CTX_set_rsa_mgf1_md(key_context, digest) != 1)) {
    return opensslError(core::ErrorKind::internal, "cannot set up RSA-PSS");
  }
  return context;
}

core::Result<Asn1OctetStringPtr> keyIdentifier(const X509* certificate) {
  if (const ASN1_OCTET_STRING* existing =
          X509_get0_subject_key_id(const_cast<X509*>(certificate))) {
    return Asn1OctetStringPtr(ASN1_OCTET_STRING_dup(existing));
  }
  return publicKeyIdentifier(certificate);
}

core::Result<Asn1OctetStringPtr> publicKeyIdentifier(const X509* certificate) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  Asn1OctetStringPtr key_id(ASN1_OCTET_STRING_new());
  if (!key_id || X509_pubkey_digest(certificate, EVP_sha1(), digest, &length) != 1 ||
      ASN1_OCTET_STRING_set(key_id.get(), digest, static_cast<int>(length)) != 1) {
    return opensslError(core::ErrorKind::internal, "cannot compute key identifier");
  }
  return key_id;
}

core::Result<AuthorityKeyIdPtr> authorityKeyId(const ASN1_OCTET_STRING* key_id) {
  AuthorityKeyIdPtr aki(AUTHORITY_KEYID_new());
  if (!aki || (aki->keyid = ASN1_OCTET_STRING_dup(key_id)) == nullptr) {
    return opensslError(core::ErrorKind::internal, "cannot build authority key identifier");
  }
  return aki;
}

core::Result<void> firstError(std::initializer_list<std::function<core::Result<void>()>> steps) {
  for (const auto& step : steps) {
    if (auto done = step(); !done) return done;
  }
  return {};
}

core::Result<std::string> readTextFile(const std::string& path) {
  // A directory opens as a stream but throws on the first read.
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    return core::makeError(core::ErrorKind::invalid, "cannot read " + path);
  std::ifstream in(path, std::ios::binary);
  std::string content;
  if (in) content.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (!in.is_open() || in.bad()) {
    return core::makeError(core::ErrorKind::invalid, "cannot read " + path);
  }
  return content;
}

}  // namespace pki::detail
