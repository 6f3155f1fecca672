#include "pki/tls.hpp"

#include "pki/key.hpp"
#include "pki/openssl_support.hpp"

#include <openssl/pem.h>

#include <cstdint>

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

// SSL ex_data slot holding the first verification error of the handshake, plus one (so that
// nullptr means "none"). OpenSSL only keeps the last error when the callback overrides failures.
int firstErrorSlot() {
  static const int slot = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return slot;
}

// Accepts every certificate so that the handshake completes and the portal can explain the
// refusal on a page; the first error is kept for peerVerification().
int recordFirstError(int preverify_ok, X509_STORE_CTX* store_context) {
  if (preverify_ok == 1) return 1;
  auto* connection = static_cast<SSL*>(
      X509_STORE_CTX_get_ex_data(store_context, SSL_get_ex_data_X509_STORE_CTX_idx()));
  if (connection != nullptr && SSL_get_ex_data(connection, firstErrorSlot()) == nullptr) {
    int error = X509_STORE_CTX_get_error(store_context);
    if (error == X509_V_OK) error = X509_V_ERR_UNSPECIFIED;  // a failure must never read as OK
    SSL_set_ex_data(connection, firstErrorSlot(),
                    reinterpret_cast<void*>(static_cast<std::intptr_t>(error) + 1));
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

core::Result<void> addClientCas(X509_STORE* store, STACK_OF(X509_NAME) * names,
                                const std::string& file) {
  auto pem = detail::readTextFile(file);
  if (!pem) return pem.error();
  auto certificates = Certificate::chainFromPem(*pem);
  if (!certificates) {
    return core::makeError(core::ErrorKind::invalid, "no CA certificates in " + file);
  }
  for (const Certificate& certificate : *certificates) {
    X509_NAME* name = X509_NAME_dup(X509_get_subject_name(certificate.handle()));
    if (X509_STORE_add_cert(store, certificate.handle()) != 1 || name == nullptr ||
        sk_X509_NAME_push(names, name) <= 0) {
      X509_NAME_free(name);
      return opensslError(core::ErrorKind::invalid, "cannot add client CA from " + file);
    }
  }
  return {};
}

core::Result<void> addCrls(X509_STORE* store, const std::string& file) {
  auto pem = detail::readTextFile(file);
  if (!pem) return pem.error();
  detail::BioPtr bio = detail::memoryBio(*pem);
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

// The trust store for client certificates: only the configured CAs (never the system's default
// paths, PRODUCT.md §3), revocation checked for every certificate of the chain.
core::Result<void> setClientVerification(SSL_CTX* context, const ServerTlsSettings& settings) {
  detail::X509StorePtr store(X509_STORE_new());
  detail::X509NameStackPtr names(sk_X509_NAME_new_null());
  if (!store || !names) return opensslError(core::ErrorKind::internal, "out of memory");
  if (auto added = addClientCas(store.get(), names.get(), settings.client_ca_file); !added) {
    return added;
  }
  for (const std::string& file : settings.crl_files) {
    if (auto added = addCrls(store.get(), file); !added) return added;
  }
  if (X509_STORE_set_flags(store.get(), X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL) != 1 ||
      X509_STORE_set_purpose(store.get(), X509_PURPOSE_SSL_CLIENT) != 1 ||
      SSL_CTX_set1_verify_cert_store(context, store.get()) != 1 ||
      SSL_CTX_set_session_id_context(context, kSessionIdContext, sizeof kSessionIdContext - 1) !=
          1) {
    return opensslError(core::ErrorKind::internal, "cannot set client verification");
  }
  // The CA names tell browsers which of the user's certificates to offer.
  SSL_CTX_set_client_CA_list(context, names.release());
  // Requested, not required: a missing or refused certificate gets an explanatory page.
  SSL_CTX_set_verify(context, SSL_VERIFY_PEER, recordFirstError);
  SSL_CTX_set_verify_depth(context, kVerifyDepth);
  return {};
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
  PeerVerification verification;
  X509* peer = SSL_get0_peer_certificate(connection);
  if (peer == nullptr) return verification;
  verification.certificate = Certificate::fromHandle(peer);
  // Prefer the first error seen during the handshake; a resumed session has none recorded, so
  // fall back to the session's result. Either way any error means "not trusted".
  long error = firstError(connection);
  if (error == X509_V_OK) error = SSL_get_verify_result(connection);
  verification.status = statusOf(error);
  verification.detail = X509_verify_cert_error_string(error);
  return verification;
}

}  // namespace pki
