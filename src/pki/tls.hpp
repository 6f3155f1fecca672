#pragma once
// TLS settings for the portal's listener and what the client certificate turned out to be.
// The http layer hands its SSL_CTX/SSL here so that OpenSSL calls stay in pki.

#include "core/error.hpp"
#include "pki/certificate.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct ssl_ctx_st;
struct ssl_st;
struct stack_st_X509_NAME;
struct x509_store_st;

namespace pki {

/// Files that configure the server side of TLS.
struct ServerTlsSettings {
  std::string certificate_chain_file;  ///< PEM: server certificate, then intermediates
  std::string private_key_file;        ///< PEM private key of the server certificate
  std::string client_ca_file;  ///< PEM bundle: the only CAs client certificates may chain to
  std::vector<std::string> crl_files;  ///< PEM CRLs checked for every certificate in the chain
};

/// Sets up a server context: TLS 1.2 and 1.3 only, AEAD ciphers with forward secrecy, server
/// cipher preference, session tickets, and a *requested* (not required) client certificate that
/// is verified against `client_ca_file` and the CRLs (never the system store) for client
/// authentication. Verification failures do not abort the handshake: they are recorded so the
/// portal can explain them on a page (see peerVerification).
core::Result<void> configureServerContext(ssl_ctx_st* context, const ServerTlsSettings& settings);

/// Why a presented client certificate is or is not trusted.
enum class PeerStatus {
  none,         ///< no certificate presented
  trusted,      ///< chain, validity, revocation and clientAuth usage all fine
  expired,      ///< outside its validity period (or a CA in the chain is)
  revoked,      ///< on a CRL
  untrusted,    ///< does not chain to a configured CA (e.g. a foreign CA)
  wrong_usage,  ///< not fit for client authentication (KU/EKU)
  invalid,      ///< any other verification failure (bad signature, stale CRL, …)
};

/// Stable name of a PeerStatus, for logs.
const char* toString(PeerStatus status);

/// The client certificate of a connection and the verdict of its verification.
struct PeerVerification {
  PeerStatus status = PeerStatus::none;
  std::optional<Certificate> certificate;  ///< present unless status is none
  std::string detail;                      ///< OpenSSL's reason, for logs only
};

/// Reads the peer certificate and verification result of an established TLS connection.
PeerVerification peerVerification(ssl_st* connection);

/// The CAs and CRLs that client certificates are verified against, and the CA names offered to
/// browsers, replaceable while the server runs so that new CRLs and CAs take effect without a
/// restart. Thread-safe. Connections it is not applied to keep what configureServerContext set.
class ClientTrust {
 public:
  /// Reads client_ca_file and crl_files of `settings`; ErrorKind::invalid naming a bad file.
  static core::Result<std::shared_ptr<ClientTrust>> load(const ServerTlsSettings& settings);

  /// Re-reads the files; if their bytes changed since the last load, swaps in a store and CA names
  /// built from them and returns true. On any error the current ones stay in use and the error
  /// returns.
  core::Result<bool> reloadIfChanged();

  /// Makes a connection (before its handshake) verify against the current store and offer the
  /// current CA names in its CertificateRequest; a later swap does not affect it. Sessions resume
  /// only within the same store, so a reload also ends the resumption of sessions verified against
  /// old CRLs.
  void applyTo(ssl_st* connection) const;

  /// Verifies a leaf certificate (PEM or DER; intermediates come from the store) as the
  /// handshake does, with the same PeerStatus; `invalid` if it cannot be parsed.
  PeerVerification verify(std::string_view certificate_pem_or_der) const;

  /// Counts the swaps so far: caches of verify() results are stale once it changes.
  std::uint64_t generation() const { return generation_.load(); }

 private:
  ClientTrust(ServerTlsSettings settings, std::vector<std::string> files,
              std::shared_ptr<x509_store_st> store, std::shared_ptr<stack_st_X509_NAME> ca_names);
  std::shared_ptr<x509_store_st> currentStore() const;

  const ServerTlsSettings settings_;
  mutable std::mutex mutex_;
  std::vector<std::string> loadedFiles_;  ///< bytes of client_ca_file, then of crl_files
  std::shared_ptr<x509_store_st> store_;
  std::shared_ptr<stack_st_X509_NAME> caNames_;  ///< subjects of the CAs in client_ca_file
  std::atomic<std::uint64_t> generation_{0};
};

}  // namespace pki
