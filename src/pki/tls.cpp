#include "pki/tls.hpp"

#include "pki/key.hpp"
#include "pki/openssl_support.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <iterator>

namespace pki {
namespace {

using detail::opensslError;

// TLS 1.2 suites with forward secrecy and AEAD only (BSI TR-02102-2, NCSC-NL "good");
// TLS 1.3 suites are all AEAD, so OpenSSL's defaults stay.
constexpr char kTls12Ciphers[] = "ECDHE+AESGCM:ECDHE+CHACHA20";
// Sessions are only resumed in the context that verified their client certificate.
constexpr unsigned char kSessionIdContext[] = "mijncertificaten-portal";
// Leaf, issuing CA, intermediate, root: PKIoverheid chains are 4 deep; leave one spare.
constexpr int kVerifyDepth = 5;

using StoreContextPtr = detail::OpenSslPtr<X509_STORE_CTX, X509_STORE_CTX_free>;

// SSL ex_data slot holding the first verification error of the handshake, plus one (so that
// nullptr means "none"). OpenSSL only keeps the last error when the callback overrides failures.
int firstErrorSlot() {
  static const int slot = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return slot;
}

// The error of a failed verification step.
long failureOf(X509_STORE_CTX* store_context) {
  const long error = X509_STORE_CTX_get_error(store_context);
  return error == X509_V_OK ? X509_V_ERR_UNSPECIFIED : error;  // a failure must never read as OK
}

// Accepts every certificate so that the handshake completes and the portal can explain the
// refusal on a page; the first error is kept for peerVerification().
int recordFirstError(int preverify_ok, X509_STORE_CTX* store_context) {
  if (preverify_ok == 1) return 1;
  auto* connection = static_cast<SSL*>(
      X509_STORE_CTX_get_ex_data(store_context, SSL_get_ex_data_X509_STORE_CTX_idx()));
  if (connection != nullptr && SSL_get_ex_data(connection, firstErrorSlot()) == nullptr) {
    SSL_set_ex_data(
        connection, firstErrorSlot(),
        reinterpret_cast<void*>(static_cast<std::intptr_t>(failureOf(store_context)) + 1));
  }
  return 1;
}

long firstError(SSL* connection) {
  const auto stored =
      reinterpret_cast<std::intptr_t>(SSL_get_ex_data(connection, firstErrorSlot()));
  return stored == 0 ? X509_V_OK : static_cast<long>(stored - 1);
}

PeerStatus statusOf(long error) {
  switch (error) {
    case X509_V_OK:
      return PeerStatus::trusted;
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return PeerStatus::expired;
    case X509_V_ERR_CERT_REVOKED:
      return PeerStatus::revoked;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
      return PeerStatus::untrusted;
    case X509_V_ERR_INVALID_PURPOSE:
      return PeerStatus::wrong_usage;
    default:
      return PeerStatus::invalid;
  }
}

// The one mapping from a verification result to what the portal is told, for handshakes and
// for certificates verified outside one (ClientTrust::verify).
PeerVerification verdictOf(Certificate certificate, long error) {
  return {statusOf(error), std::move(certificate), X509_verify_cert_error_string(error)};
}

core::Result<void> setProtocol(SSL_CTX* context) {
  if (SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_max_proto_version(context, TLS1_3_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(context, kTls12Ciphers) != 1) {
    return opensslError(core::ErrorKind::internal, "cannot set TLS versions and ciphers");
  }
  SSL_CTX_set_options(
      context, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  return {};
}

core::Result<void> loadServerIdentity(SSL_CTX* context, const ServerTlsSettings& settings) {
  if (SSL_CTX_use_certificate_chain_file(context, settings.certificate_chain_file.c_str()) != 1) {
    return opensslError(core::ErrorKind::invalid,
                        "cannot load certificate chain " + settings.certificate_chain_file);
  }
  // Read through PrivateKey so that an encrypted key fails instead of prompting on a terminal.
  auto pem = detail::readTextFile(settings.private_key_file);
  if (!pem) return pem.error();
  auto key = PrivateKey::fromPem(*pem);
  if (!key) {
    return core::makeError(core::ErrorKind::invalid,
                           "cannot load private key " + settings.private_key_file);
  }
  if (SSL_CTX_use_PrivateKey(context, key->handle()) != 1 ||
      SSL_CTX_check_private_key(context) != 1) {
    return opensslError(core::ErrorKind::invalid, "private key does not match certificate " +
                                                      settings.certificate_chain_file);
  }
  return {};
}

// Adds the CA certificates of a PEM bundle to `store` and their names to `names`.
core::Result<void> addClientCas(X509_STORE* store, STACK_OF(X509_NAME) * names,
                                const std::string& pem, const std::string& file) {
  auto certificates = Certificate::chainFromPem(pem);
  if (!certificates) {
    return core::makeError(core::ErrorKind::invalid, "no CA certificates in " + file);
  }
  for (const Certificate& certificate : *certificates) {
    if (X509_STORE_add_cert(store, certificate.handle()) != 1) {
      return opensslError(core::ErrorKind::invalid, "cannot add client CA from " + file);
    }
    X509_NAME* name = X509_NAME_dup(X509_get_subject_name(certificate.handle()));
    if (name == nullptr || sk_X509_NAME_push(names, name) <= 0) {
      X509_NAME_free(name);
      return opensslError(core::ErrorKind::invalid, "cannot add client CA from " + file);
    }
  }
  return {};
}

core::Result<void> addCrls(X509_STORE* store, const std::string& pem, const std::string& file) {
  detail::BioPtr bio = detail::memoryBio(pem);
  int count = 0;
  while (X509_CRL* raw = PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr)) {
    detail::X509CrlPtr crl(raw);
    if (X509_STORE_add_crl(store, crl.get()) != 1) {
      return opensslError(core::ErrorKind::invalid, "cannot add CRL from " + file);
    }
    ++count;
  }
  if (!detail::reachedEndOfPem() || count == 0) {
    return opensslError(core::ErrorKind::invalid, "no valid CRL in " + file);
  }
  return {};
}

// The bytes of client_ca_file, then of each of crl_files, read at one moment.
core::Result<std::vector<std::string>> readTrustFiles(const ServerTlsSettings& settings) {
  auto cas = detail::readTextFile(settings.client_ca_file);
  if (!cas) return cas.error();
  std::vector<std::string> contents{std::move(*cas)};
  for (const std::string& file : settings.crl_files) {
    auto crl = detail::readTextFile(file);
    if (!crl) return crl.error();
    contents.push_back(std::move(*crl));
  }
  return contents;
}

// What client verification is built from one read of the trust files.
struct ClientTrustParts {
  detail::X509StorePtr store;
  detail::X509NameStackPtr ca_names;  ///< tell browsers which of the user's certificates to offer
};

// The trust store for client certificates, built from the bytes readTrustFiles returned: only the
// configured CAs (never the system's default paths, PRODUCT.md §3), revocation checked for every
// certificate of the chain, client authentication as the purpose. Plus the names of those CAs.
core::Result<ClientTrustParts> buildClientTrust(const ServerTlsSettings& settings,
                                                const std::vector<std::string>& contents) {
  ClientTrustParts parts{detail::X509StorePtr(X509_STORE_new()),
                         detail::X509NameStackPtr(sk_X509_NAME_new_null())};
  X509_STORE* store = parts.store.get();
  if (!store || !parts.ca_names) return opensslError(core::ErrorKind::internal, "out of memory");
  if (auto added =
          addClientCas(store, parts.ca_names.get(), contents.front(), settings.client_ca_file);
      !added) {
    return added.error();
  }
  for (std::size_t i = 0; i < settings.crl_files.size(); ++i) {
    if (auto added = addCrls(store, contents[i + 1], settings.crl_files[i]); !added) {
      return added.error();
    }
  }
  if (X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL) != 1 ||
      X509_STORE_set_purpose(store, X509_PURPOSE_SSL_CLIENT) != 1 ||
      X509_STORE_set_depth(store, kVerifyDepth) != 1) {
    return opensslError(core::ErrorKind::internal, "cannot set client verification");
  }
  return parts;
}

core::Result<void> setClientVerification(SSL_CTX* context, const ServerTlsSettings& settings) {
  auto contents = readTrustFiles(settings);
  if (!contents) return contents.error();
  auto trust = buildClientTrust(settings, *contents);
  if (!trust) return trust.error();
  // The context's own store and names serve connections that no ClientTrust was applied to.
  if (SSL_CTX_set1_verify_cert_store(context, trust->store.get()) != 1 ||
      SSL_CTX_set_session_id_context(context, kSessionIdContext, sizeof kSessionIdContext - 1) !=
          1) {
    return opensslError(core::ErrorKind::internal, "cannot set client verification");
  }
  SSL_CTX_set_client_CA_list(context, trust->ca_names.release());
  // Requested, not required: a missing or refused certificate gets an explanatory page.
  SSL_CTX_set_verify(context, SSL_VERIFY_PEER, recordFirstError);
  SSL_CTX_set_verify_depth(context, kVerifyDepth);
  return {};
}

// Parses PEM (recognised by its armour) or else DER.
core::Result<Certificate> parseCertificate(std::string_view pem_or_der) {
  if (pem_or_der.find("-----BEGIN") != std::string_view::npos) {
    return Certificate::fromPem(pem_or_der);
  }
  return Certificate::fromDer(
      {reinterpret_cast<const std::uint8_t*>(pem_or_der.data()), pem_or_der.size()});
}

}  // namespace

core::Result<void> configureServerContext(ssl_ctx_st* context, const ServerTlsSettings& settings) {
  firstErrorSlot();  // allocate the slot before connections exist
  return detail::firstError({
      [&] { return setProtocol(context); },
      [&] { return loadServerIdentity(context, settings); },
      [&] { return setClientVerification(context, settings); },
  });
}

const char* toString(PeerStatus status) {
  switch (status) {
    case PeerStatus::none:
      return "none";
    case PeerStatus::trusted:
      return "trusted";
    case PeerStatus::expired:
      return "expired";
    case PeerStatus::revoked:
      return "revoked";
    case PeerStatus::untrusted:
      return "untrusted";
    case PeerStatus::wrong_usage:
      return "wrong_usage";
    case PeerStatus::invalid:
      return "invalid";
  }
  return "invalid";
}

PeerVerification peerVerification(ssl_st* connection) {
  X509* peer = SSL_get0_peer_certificate(connection);
  if (peer == nullptr) return {};
  // Prefer the first error seen during the handshake; a resumed session has none recorded, so
  // fall back to the session's result. Either way any error means "not trusted".
  long error = firstError(connection);
  if (error == X509_V_OK) error = SSL_get_verify_result(connection);
  return verdictOf(Certificate::fromHandle(peer), error);
}

core::Result<std::shared_ptr<ClientTrust>> ClientTrust::load(const ServerTlsSettings& settings) {
  auto contents = readTrustFiles(settings);
  if (!contents) return contents.error();
  auto trust = buildClientTrust(settings, *contents);
  if (!trust) return trust.error();
  return std::shared_ptr<ClientTrust>(new ClientTrust(
      settings, std::move(*contents), std::move(trust->store), std::move(trust->ca_names)));
}

ClientTrust::ClientTrust(ServerTlsSettings settings, std::vector<std::string> files,
                         std::shared_ptr<x509_store_st> store,
                         std::shared_ptr<stack_st_X509_NAME> ca_names)
    : settings_(std::move(settings)),
      loadedFiles_(std::move(files)),
      store_(std::move(store)),
      caNames_(std::move(ca_names)) {}

core::Result<bool> ClientTrust::reloadIfChanged() {
  auto contents = readTrustFiles(settings_);
  if (!contents) return contents.error();
  {
    std::lock_guard lock(mutex_);
    if (*contents == loadedFiles_) return false;
  }
  auto trust = buildClientTrust(settings_, *contents);
  if (!trust) return trust.error();
  std::lock_guard lock(mutex_);
  store_ = std::move(trust->store);
  caNames_ = std::move(trust->ca_names);
  loadedFiles_ = std::move(*contents);
  ++generation_;
  return true;
}

std::shared_ptr<x509_store_st> ClientTrust::currentStore() const {
  std::lock_guard lock(mutex_);
  return store_;
}

void ClientTrust::applyTo(ssl_st* connection) const {
  std::lock_guard lock(mutex_);
  // The connection takes its own reference: a swap while it handshakes frees nothing it uses.
  SSL_set1_verify_cert_store(connection, store_.get());
  // The connection owns its copy of the names; without one (out of memory) it keeps the context's.
  if (STACK_OF(X509_NAME)* names = SSL_dup_CA_list(caNames_.get())) {
    SSL_set_client_CA_list(connection, names);
  }
  // A session verified against an older store must not be resumed: its verdict may predate a
  // revocation. The generation in the session id context makes such a session a cache miss.
  std::array<unsigned char, sizeof kSessionIdContext - 1 + sizeof(std::uint64_t)> context{};
  static_assert(std::tuple_size_v<decltype(context)> <= SSL_MAX_SID_CTX_LENGTH);
  std::copy(std::begin(kSessionIdContext), std::end(kSessionIdContext) - 1, context.begin());
  const std::uint64_t generation = generation_.load();
  std::memcpy(context.data() + sizeof kSessionIdContext - 1, &generation, sizeof generation);
  SSL_set_session_id_context(connection, context.data(), context.size());
}

PeerVerification ClientTrust::verify(std::string_view certificate_pem_or_der) const {
  auto certificate = parseCertificate(certificate_pem_or_der);
  if (!certificate) {
    ERR_clear_error();
    return {PeerStatus::invalid, std::nullopt, "not a certificate"};
  }
  const auto store = currentStore();
  StoreContextPtr context(X509_STORE_CTX_new());
  // "ssl_client" is what a TLS server sets up for verifying its clients.
  if (!context ||
      X509_STORE_CTX_init(context.get(), store.get(), certificate->handle(), nullptr) != 1 ||
      X509_STORE_CTX_set_default(context.get(), "ssl_client") != 1) {
    ERR_clear_error();
    return verdictOf(std::move(*certificate), X509_V_ERR_UNSPECIFIED);
  }
  // Without a callback verification stops at the first error: the one a handshake records.
  const long error = X509_verify_cert(context.get()) == 1 ? X509_V_OK : failureOf(context.get());
  ERR_clear_error();
  return verdictOf(std::move(*certificate), error);
}

}  // namespace pki
