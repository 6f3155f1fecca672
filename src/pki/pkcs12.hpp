#pragma once
// PKCS#12 files, the form in which browsers import a personal certificate.

#include "core/error.hpp"
#include "pki/certificate.hpp"
#include "pki/key.hpp"

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace pki {

/// A PKCS#12 file with key, certificate and CA chain, protected by `password` (AES-256, PBKDF2).
core::Result<std::vector<std::uint8_t>> makePkcs12(const Certificate& certificate,
                                                   const PrivateKey& key,
                                                   std::span<const Certificate> chain,
                                                   std::string_view password,
                                                   std::string_view friendly_name);

/// Key, certificate and chain read back from a PKCS#12 file.
struct Pkcs12Contents {
  PrivateKey key;
  Certificate certificate;
  std::vector<Certificate> chain;
};

/// Opens a PKCS#12 file; a wrong password or malformed file is ErrorKind::invalid.
core::Result<Pkcs12Contents> readPkcs12(std::span<const std::uint8_t> der,
                                        std::string_view password);

}  // namespace pki
