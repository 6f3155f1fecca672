#include "policy/login_certificate.hpp"

#include "pki/certificate_contents.hpp"

#include <algorithm>
#include <string_view>

namespace policy {
namespace {

bool hasSubject(const pki::CertificateContents& contents, std::string_view type) {
  return std::ranges::any_of(contents.subject, [&](const pki::SubjectEntry& entry) {
    return entry.type == type && !entry.value.empty();
  });
}

}  // namespace

LoginCertificateProblem loginCertificateProblem(const pki::Certificate& certificate,
                                                std::span<const pki::Certificate> login_issuers) {
  if (std::ranges::none_of(login_issuers, [&](const pki::Certificate& issuer) {
        return pki::isSignedBy(certificate, issuer);
      }))
    return LoginCertificateProblem::wrong_issuer;
  const auto contents = pki::readContents(certificate);
  const bool server = std::ranges::find(contents.extended_key_usage, "serverAuth") !=
                          contents.extended_key_usage.end() ||
                      !contents.dns_names.empty() || !contents.ip_addresses.empty();
  const bool named = hasSubject(contents, "serialNumber") &&
                     ((hasSubject(contents, "GN") && hasSubject(contents, "SN")) ||
                      hasSubject(contents, "pseudonym"));
  if (server || contents.is_ca || !named) return LoginCertificateProblem::not_personal;
  return LoginCertificateProblem::none;
}

}  // namespace policy
