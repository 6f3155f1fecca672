#include "pki/pkcs11_key.hpp"

#include <libp11.h>
#include <openssl/err.h>
#include <openssl/evp.h>

namespace pki {

/// The libp11 context, its slots and the logged-in token; the key handle refers to them.
struct Pkcs11Key::Session {
  PKCS11_CTX* context = nullptr;
  PKCS11_SLOT* slots = nullptr;
  unsigned int slot_count = 0;
  bool loaded = false;

  ~Session() {
    if (slots != nullptr) PKCS11_release_all_slots(context, slots, slot_count);
    if (loaded) PKCS11_CTX_unload(context);
    if (context != nullptr) PKCS11_CTX_free(context);
  }
};

namespace {

core::Error unavailable(const std::string& what) {
  // libp11 queues reasons of its own (attribute lookups that may fail); none is safe to show.
  ERR_clear_error();
  return core::makeError(core::ErrorKind::unavailable, "PKCS#11: " + what);
}

PKCS11_SLOT* findToken(PKCS11_SLOT* slots, unsigned int count, const std::string& label) {
  for (unsigned int i = 0; i < count; ++i) {
    if (slots[i].token != nullptr && slots[i].token->initialized && label == slots[i].token->label)
      return &slots[i];
  }
  return nullptr;
}

// The certificate labelled like the key; none if the token has no such object.
std::optional<Certificate> findCertificate(PKCS11_TOKEN* token, const std::string& label) {
  PKCS11_CERT* certificates = nullptr;
  unsigned int count = 0;
  if (PKCS11_enumerate_certs(token, &certificates, &count) != 0) return std::nullopt;
  for (unsigned int i = 0; i < count; ++i) {
    if (certificates[i].label != nullptr && label == certificates[i].label &&
        certificates[i].x509 != nullptr)
      return Certificate::fromHandle(certificates[i].x509);
  }
  return std::nullopt;
}

}  // namespace

Pkcs11Key::Pkcs11Key(std::unique_ptr<Session> session, PrivateKey key,
                     std::optional<Certificate> certificate)
    : session_(std::move(session)), key_(std::move(key)), certificate_(std::move(certificate)) {}

// The key handle goes first: it calls into the module that the session unloads.
Pkcs11Key::~Pkcs11Key() {
  key_.reset();
}

core::Result<std::unique_ptr<Pkcs11Key>> Pkcs11Key::open(const Pkcs11KeyLocation& location) {
  auto session = std::make_unique<Session>();
  session->context = PKCS11_CTX_new();
  if (session->context == nullptr) return unavailable("out of memory");
  if (PKCS11_CTX_load(session->context, location.module.c_str()) != 0)
    return unavailable("cannot load " + location.module);
  session->loaded = true;
  if (PKCS11_enumerate_slots(session->context, &session->slots, &session->slot_count) != 0)
    return unavailable("cannot list slots");
  PKCS11_SLOT* slot = findToken(session->slots, session->slot_count, location.token_label);
  if (slot == nullptr) return unavailable("no token labelled " + location.token_label);
  if (PKCS11_login(slot, 0, location.pin.c_str()) != 0) return unavailable("login refused");
  PKCS11_KEY* keys = nullptr;
  unsigned int key_count = 0;
  if (PKCS11_enumerate_keys(slot->token, &keys, &key_count) != 0)
    return unavailable("cannot list keys");
  for (unsigned int i = 0; i < key_count; ++i) {
    if (keys[i].label == nullptr || location.key_label != keys[i].label) continue;
    EVP_PKEY* handle = PKCS11_get_private_key(&keys[i]);
    if (handle == nullptr) return unavailable("cannot use key " + location.key_label);
    PrivateKey key = PrivateKey::fromHandle(handle);
    EVP_PKEY_free(handle);  // fromHandle took its own reference
    auto certificate = findCertificate(slot->token, location.key_label);
    ERR_clear_error();
    return std::unique_ptr<Pkcs11Key>(
        new Pkcs11Key(std::move(session), std::move(key), std::move(certificate)));
  }
  return unavailable("no key labelled " + location.key_label);
}

}  // namespace pki
