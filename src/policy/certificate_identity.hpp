#pragma once
// How a certificate belongs to a person (PRODUCT.md §3): issuer DN + subject serialNumber, which
// stay the same when a card is renewed; never the certificate serial.

#include "core/registry.hpp"
#include "pki/certificate.hpp"

#include <optional>

namespace policy {

/// The identity key of a certificate; nullopt when it has no subject serialNumber (then it cannot
/// belong to a registered person).
std::optional<core::CertificateIdentity> identityOf(const pki::Certificate& certificate);

}  // namespace policy
