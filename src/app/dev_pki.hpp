#pragma once
// The development PKI of `mijncert init-dev` (PRODUCT.md §9), modelled on the PKIoverheid G4
// hierarchy: root → intermediates → TSP issuing CAs for TLS and for persons, plus an unrelated
// "foreign" root. Generated with our own pki code, never the openssl CLI.

#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/random.hpp"
#include "core/registry.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace app {

/// Which way a demo person's certificate is (deliberately) wrong.
enum class DevCertificateState { valid, expired, revoked, foreign };

/// A person who gets a client certificate in the demo.
struct DevPersonCertificate {
  std::string file_name;  ///< "contact" → users/contact.{crt,key,p12}
  std::string given_name;
  std::string surname;
  std::string subject_serial;  ///< subject serialNumber, the stable person identifier
  std::string organisation;    ///< subject O; empty for professionals and unaffiliated persons
  std::string title;           ///< subject title (professionals), e.g. "Notaris"
  std::string email;           ///< rfc822Name SAN
  DevCertificateState state = DevCertificateState::valid;
};

/// Where the generated files are (absolute paths) and how persons are identified.
struct DevPki {
  std::filesystem::path
      server_certificate_chain;              ///< tls/server.crt: leaf + issuing + intermediate
  std::filesystem::path server_private_key;  ///< tls/server.key
  std::filesystem::path client_ca_bundle;    ///< pki/client-cas.pem: root, intermediate, person CA
  std::vector<std::filesystem::path> crl_files;  ///< pki/crl/*.crl, one per CA of the dev hierarchy
  std::filesystem::path root_certificate;        ///< pki/root-ca.crt (to import in a browser)
  std::string person_issuer_dn;                  ///< issuer DN of person certificates (RFC 2253)
  /// CertificateIdentity of each person, in the order given (foreign persons have the foreign
  /// issuer's DN, so they never match a registered identity).
  std::vector<core::CertificateIdentity> identities;
};

/// Creates the PKI under `dir` (pki/, tls/, users/) for `people`. Private keys are written 0600.
/// The CAs live ≥ 10 years; `expired` certificates ended before `clock.now()`; `revoked` ones
/// are on their CA's CRL; `foreign` ones come from an unrelated root that is not in the bundle.
core::Result<DevPki> createDevPki(const std::filesystem::path& dir,
                                  const std::vector<DevPersonCertificate>& people,
                                  const core::Clock& clock, core::RandomSource& random);

}  // namespace app
