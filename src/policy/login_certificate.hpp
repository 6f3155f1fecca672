#pragma once
// Which verified certificates may log a person in (PRODUCT.md §3, ADR 0022): the transport only
// says that a certificate chains to a CA of the client bundle, for client authentication. Under
// the same root there are also server certificates, which carry clientAuth as well; they must
// never log anyone in.

#include "pki/certificate.hpp"

#include <span>

namespace policy {

/// Why a verified certificate is no login certificate.
enum class LoginCertificateProblem {
  none,
  wrong_issuer,  ///< not issued by a login CA (e.g. by the CA of server certificates)
  not_personal,  ///< a server or CA certificate, or one without a person's name and serialNumber
};

/// Checks a certificate the transport verified: it must be signed by one of `login_issuers` and
/// look like a person's authentication certificate — no serverAuth, no DNS name or IP address,
/// no CA, and a subject serialNumber with givenName and surname (or a pseudonym).
LoginCertificateProblem loginCertificateProblem(const pki::Certificate& certificate,
                                                std::span<const pki::Certificate> login_issuers);

}  // namespace policy
