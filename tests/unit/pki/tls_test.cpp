#include "pki/tls.hpp"

#include "pki/crl.hpp"
#include "pki/openssl_handles.hpp"
#include "pki_test_support.hpp"

#include <openssl/err.h>

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

namespace pki {
namespace {

using namespace test;

// A small hierarchy written to files: root → issuing CA → server and client certificates,
// plus an unrelated root, as the portal's listener would be configured.
struct TlsFixture {
  TlsFixture()
      : dir(makeTempDir()),
        root(issue(withPathLength(caSpec("Test Root", 1), 1), nullptr)),
        issuing(issue(withPathLength(caSpec("Test Issuing CA", 2), 0), &root)),
        foreign(issue(caSpec("Foreign Root", 3), nullptr)),
        server(issue(serverSpec(), &issuing)),
        valid(issue(leafSpec("valid", 10), &issuing)),
        expired(issue(expiredSpec(leafSpec("expired", 11)), &issuing)),
        revoked(issue(leafSpec("revoked", 12), &issuing)),
        stranger(issue(leafSpec("foreign", 13), &foreign)),
        expired_stranger(issue(expiredSpec(leafSpec("expired-foreign", 14)), &foreign)),
        server_only(issue(serverOnlySpec(), &issuing)) {
    writeText(dir / "server.crt", server.certificate.toPem() + issuing.certificate.toPem());
    writeText(dir / "server.key", server.key.toPem());
    writeText(dir / "client-cas.pem", root.certificate.toPem() + issuing.certificate.toPem());
    const std::vector<RevokedCertificate> revoked_list = {
        {revoked.certificate.serialHex(), now() - 1h}};
    writeText(dir / "root.crl",
              issueCrl(root.certificate, root.key, {}, now() - 1h, now() + 24h, 1).value());
    writeText(dir / "issuing.crl",
              issueCrl(issuing.certificate, issuing.key, revoked_list, now() - 1h, now() + 24h, 1)
                  .value());
    settings = {(dir / "server.crt").string(),
                (dir / "server.key").string(),
                (dir / "client-cas.pem").string(),
                {(dir / "root.crl").string(), (dir / "issuing.crl").string()}};
  }
  ~TlsFixture() { std::filesystem::remove_all(dir); }

  static CertificateSpec withPathLength(CertificateSpec spec, int length) {
    spec.path_length = length;
    return spec;
  }
  static CertificateSpec expiredSpec(CertificateSpec spec) {
    spec.not_before = now() - 24h * 400;
    spec.not_after = now() - 24h * 35;
    return spec;
  }
  static CertificateSpec serverSpec() {
    CertificateSpec spec = leafSpec("localhost", 5);
    spec.extended_key_usage = {"serverAuth"};
    spec.dns_names = {"localhost"};
    return spec;
  }
  static CertificateSpec serverOnlySpec() {
    CertificateSpec spec = serverSpec();
    spec.serial = {0x1e, 15};
    return spec;
  }

  std::filesystem::path dir;
  Issued root, issuing, foreign, server, valid, expired, revoked, stranger, expired_stranger,
      server_only;
  ServerTlsSettings settings;
};

// Client-side options of one handshake.
struct ClientOptions {
  const Issued* certificate = nullptr;
  int max_version = TLS1_3_VERSION;
  const char* tls12_ciphers = nullptr;
  SSL_SESSION* session = nullptr;
  const ClientTrust* trust = nullptr;  ///< applied to the server side when set
};

// The outcome of one in-memory handshake, seen from the server.
struct Outcome {
  bool completed = false;
  bool resumed = false;
  PeerVerification peer;
  std::string cipher;
  detail::SslSessionPtr session;
  std::vector<std::string> offered_ca_names;  ///< CNs of the CertificateRequest, as the client saw
};

// The common names of the CAs a server's CertificateRequest listed.
std::vector<std::string> offeredCaNames(SSL* client) {
  std::vector<std::string> names;
  const STACK_OF(X509_NAME)* offered = SSL_get0_peer_CA_list(client);
  for (int i = 0; i < sk_X509_NAME_num(offered); ++i) {
    std::array<char, 256> common_name{};
    X509_NAME_get_text_by_NID(sk_X509_NAME_value(offered, i), NID_commonName, common_name.data(),
                              common_name.size());
    names.emplace_back(common_name.data());
  }
  return names;
}

class TlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { fixture_ = new TlsFixture(); }
  static void TearDownTestSuite() { delete fixture_; }

  void SetUp() override {
    context_.reset(SSL_CTX_new(TLS_server_method()));
    auto configured = configureServerContext(context_.get(), fixture_->settings);
    ASSERT_TRUE(configured) << configured.error().message;
  }

  Outcome handshake(const ClientOptions& options) {
    detail::SslCtxPtr client_context(SSL_CTX_new(TLS_client_method()));
    SSL_CTX_set_max_proto_version(client_context.get(), options.max_version);
    if (options.tls12_ciphers) SSL_CTX_set_cipher_list(client_context.get(), options.tls12_ciphers);
    if (options.certificate) {
      SSL_CTX_use_certificate(client_context.get(), options.certificate->certificate.handle());
      SSL_CTX_use_PrivateKey(client_context.get(), options.certificate->key.handle());
    }
    detail::SslPtr client(SSL_new(client_context.get()));
    detail::SslPtr server(SSL_new(context_.get()));
    if (options.session) SSL_set_session(client.get(), options.session);
    if (options.trust) options.trust->applyTo(server.get());
    BIO* client_bio = nullptr;
    BIO* server_bio = nullptr;
    BIO_new_bio_pair(&client_bio, 0, &server_bio, 0);
    SSL_set_bio(client.get(), client_bio, client_bio);
    SSL_set_bio(server.get(), server_bio, server_bio);
    SSL_set_connect_state(client.get());
    SSL_set_accept_state(server.get());

    Outcome outcome;
    bool client_done = false;
    bool server_done = false;
    for (int round = 0; round < 20 && !(client_done && server_done); ++round) {
      for (auto [ssl, done] :
           {std::pair{client.get(), &client_done}, std::pair{server.get(), &server_done}}) {
        if (*done) continue;
        const int result = SSL_do_handshake(ssl);
        const int error = SSL_get_error(ssl, result);
        if (result == 1)
          *done = true;
        else if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE)
          return outcome;
      }
    }
    ERR_clear_error();
    outcome.completed = client_done && server_done;
    // Lets the client read the TLS 1.3 session tickets that follow the handshake.
    char byte = 0;
    SSL_read(client.get(), &byte, 1);
    ERR_clear_error();
    outcome.resumed = SSL_session_reused(server.get()) == 1;
    outcome.peer = peerVerification(server.get());
    outcome.cipher = SSL_get_cipher_name(server.get());
    outcome.session.reset(SSL_get1_session(client.get()));
    outcome.offered_ca_names = offeredCaNames(client.get());
    // A clean close keeps the session resumable (OpenSSL drops sessions of aborted connections).
    SSL_shutdown(client.get());
    return outcome;
  }

  PeerStatus statusWith(const Issued& certificate) {
    Outcome outcome = handshake({.certificate = &certificate});
    EXPECT_TRUE(outcome.completed);
    return outcome.peer.status;
  }

  static TlsFixture* fixture_;
  detail::SslCtxPtr context_;
};

TlsFixture* TlsTest::fixture_ = nullptr;

TEST_F(TlsTest, TrustsAValidClientCertificate) {
  Outcome outcome = handshake({.certificate = &fixture_->valid});
  ASSERT_TRUE(outcome.completed);
  EXPECT_EQ(outcome.peer.status, PeerStatus::trusted) << outcome.peer.detail;
  ASSERT_TRUE(outcome.peer.certificate);
  EXPECT_EQ(outcome.peer.certificate->toDer(), fixture_->valid.certificate.toDer());
  EXPECT_EQ(outcome.peer.detail, "ok");
}

TEST_F(TlsTest, CompletesWithoutAClientCertificate) {
  Outcome outcome = handshake({});
  ASSERT_TRUE(outcome.completed);
  EXPECT_EQ(outcome.peer.status, PeerStatus::none);
  EXPECT_FALSE(outcome.peer.certificate);
}

TEST_F(TlsTest, ExplainsRefusedCertificatesAfterTheHandshake) {
  EXPECT_EQ(statusWith(fixture_->expired), PeerStatus::expired);
  EXPECT_EQ(statusWith(fixture_->revoked), PeerStatus::revoked);
  EXPECT_EQ(statusWith(fixture_->stranger), PeerStatus::untrusted);
  EXPECT_EQ(statusWith(fixture_->server_only), PeerStatus::wrong_usage);
  EXPECT_EQ(statusWith(fixture_->foreign), PeerStatus::untrusted);  // self-signed
}

TEST_F(TlsTest, KeepsTheFirstErrorSoExpiredAndUntrustedIsUntrusted) {
  EXPECT_EQ(statusWith(fixture_->expired_stranger), PeerStatus::untrusted);
}

TEST_F(TlsTest, ResumedSessionsKeepTheVerdict) {
  for (const Issued* certificate : {&fixture_->valid, &fixture_->expired}) {
    Outcome first = handshake({.certificate = certificate});
    ASSERT_TRUE(first.session);
    EXPECT_EQ(SSL_SESSION_is_resumable(first.session.get()), 1);
    Outcome second = handshake({.certificate = certificate, .session = first.session.get()});
    ASSERT_TRUE(second.completed);
    EXPECT_TRUE(second.resumed);
    EXPECT_EQ(second.peer.status, first.peer.status);
    ASSERT_TRUE(second.peer.certificate);
  }
}

TEST_F(TlsTest, Tls12UsesOnlyForwardSecretAeadCiphers) {
  Outcome outcome = handshake({.certificate = &fixture_->valid, .max_version = TLS1_2_VERSION});
  ASSERT_TRUE(outcome.completed);
  EXPECT_TRUE(outcome.cipher.starts_with("ECDHE-ECDSA-")) << outcome.cipher;
  EXPECT_EQ(outcome.peer.status, PeerStatus::trusted);
  EXPECT_FALSE(handshake({.max_version = TLS1_2_VERSION, .tls12_ciphers = "ECDHE-ECDSA-AES128-SHA"})
                   .completed);
  EXPECT_FALSE(handshake({.max_version = TLS1_1_VERSION}).completed);
}

TEST_F(TlsTest, AnnouncesTheClientCas) {
  STACK_OF(X509_NAME)* names = SSL_CTX_get_client_CA_list(context_.get());
  ASSERT_EQ(sk_X509_NAME_num(names), 2);
  EXPECT_EQ(X509_NAME_cmp(sk_X509_NAME_value(names, 1),
                          X509_get_subject_name(fixture_->issuing.certificate.handle())),
            0);
  EXPECT_EQ(SSL_CTX_get_verify_mode(context_.get()), SSL_VERIFY_PEER);
  EXPECT_EQ(SSL_CTX_get_min_proto_version(context_.get()), TLS1_2_VERSION);
}

TEST_F(TlsTest, ConfigurationErrorsNameTheFile) {
  const auto fails = [](ServerTlsSettings settings) {
    detail::SslCtxPtr context(SSL_CTX_new(TLS_server_method()));
    auto result = configureServerContext(context.get(), settings);
    return !result && result.error().kind == core::ErrorKind::invalid;
  };
  const ServerTlsSettings good = fixture_->settings;
  const std::string missing = (fixture_->dir / "missing.pem").string();
  ServerTlsSettings s = good;
  s.certificate_chain_file = missing;
  EXPECT_TRUE(fails(s));
  s = good;
  s.private_key_file = missing;
  EXPECT_TRUE(fails(s));
  s = good;
  s.private_key_file = (fixture_->dir / "server.crt").string();  // not a key
  EXPECT_TRUE(fails(s));
  s = good;
  writeText(fixture_->dir / "other.key", fixture_->valid.key.toPem());
  s.private_key_file = (fixture_->dir / "other.key").string();  // another certificate's key
  EXPECT_TRUE(fails(s));
  s = good;
  s.client_ca_file = missing;
  EXPECT_TRUE(fails(s));
  s = good;
  s.client_ca_file = (fixture_->dir / "server.key").string();  // no certificates in it
  EXPECT_TRUE(fails(s));
  s = good;
  s.crl_files.push_back(missing);
  EXPECT_TRUE(fails(s));
  s = good;
  s.crl_files = {(fixture_->dir / "client-cas.pem").string()};  // no CRL in it
  EXPECT_TRUE(fails(s));
}

// A ClientTrust over its own copies of the fixture's files, so that tests may replace them.
class ClientTrustTest : public TlsTest {
 protected:
  void SetUp() override {
    TlsTest::SetUp();
    dir_ = makeTempDir();
    settings_ = fixture_->settings;
    settings_.client_ca_file = copy(settings_.client_ca_file);
    for (std::string& crl : settings_.crl_files) crl = copy(crl);
    auto loaded = ClientTrust::load(settings_);
    ASSERT_TRUE(loaded) << loaded.error().message;
    trust_ = *loaded;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string copy(const std::filesystem::path& file) {
    const auto target = dir_ / file.filename();
    std::filesystem::copy_file(file, target);
    return target.string();
  }

  // Replaces the issuing CA's CRL (the second of crl_files) with one revoking `revoked`.
  void publishIssuingCrl(const std::vector<const Issued*>& revoked, std::int64_t number) {
    std::vector<RevokedCertificate> entries;
    for (const Issued* certificate : revoked) {
      entries.push_back({certificate->certificate.serialHex(), now() - 1h});
    }
    writeText(settings_.crl_files[1], issueCrl(fixture_->issuing.certificate, fixture_->issuing.key,
                                               entries, now() - 1h, now() + 24h, number)
                                          .value());
  }

  std::filesystem::path dir_;
  ServerTlsSettings settings_;
  std::shared_ptr<ClientTrust> trust_;
};

TEST_F(ClientTrustTest, VerifiesLikeTheHandshake) {
  for (const Issued* certificate :
       {&fixture_->valid, &fixture_->expired, &fixture_->revoked, &fixture_->stranger,
        &fixture_->expired_stranger, &fixture_->server_only, &fixture_->foreign}) {
    const PeerStatus handshake_status = statusWith(*certificate);
    const PeerVerification verified = trust_->verify(certificate->certificate.toPem());
    EXPECT_EQ(verified.status, handshake_status) << certificate->certificate.subjectDn();
    ASSERT_TRUE(verified.certificate);
    EXPECT_EQ(verified.certificate->toDer(), certificate->certificate.toDer());
    const auto der = certificate->certificate.toDer();
    EXPECT_EQ(trust_->verify({reinterpret_cast<const char*>(der.data()), der.size()}).status,
              handshake_status);
  }
  EXPECT_EQ(statusWith(fixture_->revoked), PeerStatus::revoked);  // the list above is not trivial
  EXPECT_EQ(trust_->verify(fixture_->valid.certificate.toPem()).detail, "ok");
}

TEST_F(ClientTrustTest, AnythingButACertificateIsInvalid) {
  for (const std::string text : {"", "garbage", "-----BEGIN CERTIFICATE-----\nAAAA\n"}) {
    const PeerVerification verified = trust_->verify(text);
    EXPECT_EQ(verified.status, PeerStatus::invalid) << text;
    EXPECT_FALSE(verified.certificate);
  }
}

TEST_F(ClientTrustTest, UnchangedFilesAreNotReloaded) {
  auto reloaded = trust_->reloadIfChanged();
  ASSERT_TRUE(reloaded) << reloaded.error().message;
  EXPECT_FALSE(*reloaded);
  EXPECT_EQ(trust_->generation(), 0u);
}

TEST_F(ClientTrustTest, ANewCrlRevokesWithoutARestart) {
  Outcome before = handshake({.certificate = &fixture_->valid, .trust = trust_.get()});
  ASSERT_EQ(before.peer.status, PeerStatus::trusted);
  ASSERT_TRUE(before.session);
  Outcome resumed = handshake(
      {.certificate = &fixture_->valid, .session = before.session.get(), .trust = trust_.get()});
  EXPECT_TRUE(resumed.resumed);  // so the check after the reload below means something

  publishIssuingCrl({&fixture_->revoked, &fixture_->valid}, 2);
  auto reloaded = trust_->reloadIfChanged();
  ASSERT_TRUE(reloaded) << reloaded.error().message;
  EXPECT_TRUE(*reloaded);
  EXPECT_EQ(trust_->generation(), 1u);

  EXPECT_EQ(trust_->verify(fixture_->valid.certificate.toPem()).status, PeerStatus::revoked);
  EXPECT_EQ(handshake({.certificate = &fixture_->valid, .trust = trust_.get()}).peer.status,
            PeerStatus::revoked);
  // A session verified before the reload is not resumed: it would keep the old verdict.
  Outcome after = handshake(
      {.certificate = &fixture_->valid, .session = before.session.get(), .trust = trust_.get()});
  ASSERT_TRUE(after.completed);
  EXPECT_FALSE(after.resumed);
  EXPECT_EQ(after.peer.status, PeerStatus::revoked);
  auto again = trust_->reloadIfChanged();
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again);
}

TEST_F(ClientTrustTest, ANewCaIsOfferedWithoutARestart) {
  const std::vector<std::string> configured = {"Test Root", "Test Issuing CA"};
  EXPECT_EQ(handshake({.trust = trust_.get()}).offered_ca_names, configured);

  writeText(settings_.client_ca_file, fixture_->root.certificate.toPem() +
                                          fixture_->issuing.certificate.toPem() +
                                          fixture_->foreign.certificate.toPem());
  EXPECT_EQ(handshake({.trust = trust_.get()}).offered_ca_names, configured);  // not yet reloaded
  auto reloaded = trust_->reloadIfChanged();
  ASSERT_TRUE(reloaded) << reloaded.error().message;
  ASSERT_TRUE(*reloaded);

  const std::vector<std::string> extended = {"Test Root", "Test Issuing CA", "Foreign Root"};
  EXPECT_EQ(handshake({.trust = trust_.get()}).offered_ca_names, extended);
  EXPECT_EQ(handshake({.max_version = TLS1_2_VERSION, .trust = trust_.get()}).offered_ca_names,
            extended);
  // Connections without the ClientTrust keep the names the context was configured with.
  EXPECT_EQ(handshake({}).offered_ca_names, configured);
}

TEST_F(ClientTrustTest, ABrokenNewCrlKeepsTheCurrentStore) {
  writeText(settings_.crl_files[1], "-----BEGIN X509 CRL-----\nbroken\n-----END X509 CRL-----\n");
  auto reloaded = trust_->reloadIfChanged();
  ASSERT_FALSE(reloaded);
  EXPECT_EQ(reloaded.error().kind, core::ErrorKind::invalid);
  EXPECT_NE(reloaded.error().message.find(settings_.crl_files[1]), std::string::npos)
      << reloaded.error().message;
  EXPECT_EQ(trust_->generation(), 0u);
  EXPECT_EQ(trust_->verify(fixture_->valid.certificate.toPem()).status, PeerStatus::trusted);
  EXPECT_EQ(trust_->verify(fixture_->revoked.certificate.toPem()).status, PeerStatus::revoked);
  EXPECT_EQ(handshake({.certificate = &fixture_->valid, .trust = trust_.get()}).peer.status,
            PeerStatus::trusted);

  std::filesystem::remove(settings_.crl_files[1]);
  EXPECT_FALSE(trust_->reloadIfChanged());
  EXPECT_EQ(trust_->verify(fixture_->valid.certificate.toPem()).status, PeerStatus::trusted);
}

TEST_F(ClientTrustTest, LoadNamesABadFile) {
  ServerTlsSettings settings = settings_;
  settings.crl_files.push_back((dir_ / "missing.crl").string());
  auto loaded = ClientTrust::load(settings);
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().message.find("missing.crl"), std::string::npos);
}

TEST(PeerStatusTest, HasStableNames) {
  EXPECT_STREQ(toString(PeerStatus::none), "none");
  EXPECT_STREQ(toString(PeerStatus::trusted), "trusted");
  EXPECT_STREQ(toString(PeerStatus::wrong_usage), "wrong_usage");
  EXPECT_STREQ(toString(PeerStatus::invalid), "invalid");
}

}  // namespace
}  // namespace pki
