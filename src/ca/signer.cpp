#include "ca/signer.hpp"

#include <libp11.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <fstream>
#include <sstream>

namespace ca {

core::Result<std::unique_ptr<KeyFileSigner>> KeyFileSigner::open(
    const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) {
    return core::makeError(core::ErrorKind::invalid, "cannot read key file " + file.string());
  }
  auto key = pki::PrivateKey::fromPem(text.str());
  if (!key) return core::makeError(core::ErrorKind::invalid, "no private key in " + file.string());
  return std::unique_ptr<KeyFileSigner>(new KeyFileSigner(std::move(*key)));
}

/// The libp11 context, its slots and the logged-in token; the key handle refers to them.
struct Pkcs11Signer::Session {
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

}  // namespace

Pkcs11Signer::Pkcs11Signer(std::unique_ptr<Session> session, pki::PrivateKey key)
    : session_(std::move(session)), key_(std::move(key)) {}

// The key handle goes first: it calls into the module that the session unloads.
Pkcs11Signer::~Pkcs11Signer() {
  key_.reset();
}

core::Result<std::unique_ptr<Pkcs11Signer>> Pkcs11Signer::open(const Pkcs11Settings& settings) {
  auto session = std::make_unique<Session>();
  session->context = PKCS11_CTX_new();
  if (session->context == nullptr) return unavailable("out of memory");
  if (PKCS11_CTX_load(session->context, settings.module.c_str()) != 0)
    return unavailable("cannot load " + settings.module);
  session->loaded = true;
  if (PKCS11_enumerate_slots(session->context, &session->slots, &session->slot_count) != 0)
    return unavailable("cannot list slots");
  PKCS11_SLOT* slot = findToken(session->slots, session->slot_count, settings.token_label);
  if (slot == nullptr) return unavailable("no token labelled " + settings.token_label);
  if (PKCS11_login(slot, 0, settings.pin.c_str()) != 0) return unavailable("login refused");
  PKCS11_KEY* keys = nullptr;
  unsigned int key_count = 0;
  if (PKCS11_enumerate_keys(slot->token, &keys, &key_count) != 0)
    return unavailable("cannot list keys");
  for (unsigned int i = 0; i < key_count; ++i) {
    if (keys[i].label == nullptr || settings.key_label != keys[i].label) continue;
    EVP_PKEY* handle = PKCS11_get_private_key(&keys[i]);
    if (handle == nullptr) return unavailable("cannot use key " + settings.key_label);
    pki::PrivateKey key = pki::PrivateKey::fromHandle(handle);
    EVP_PKEY_free(handle);  // fromHandle took its own reference
    ERR_clear_error();
    return std::unique_ptr<Pkcs11Signer>(new Pkcs11Signer(std::move(session), std::move(key)));
  }
  return unavailable("no key labelled " + settings.key_label);
}

}  // namespace ca
