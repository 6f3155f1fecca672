#include "policy/certificate_identity.hpp"

namespace policy {

std::optional<core::CertificateIdentity> identityOf(const pki::Certificate& certificate) {
  auto serial = certificate.subjectAttribute("serialNumber");
  if (!serial || serial->empty()) return std::nullopt;
  return core::CertificateIdentity{certificate.issuerDn(), std::move(*serial)};
}

}  // namespace policy
