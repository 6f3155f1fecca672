#include "http/forwarded_client.hpp"

#include "../pki/pki_test_support.hpp"
#include "pki/crl.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace http {
namespace {

using namespace pki::test;
using Clock = ForwardedClient::Clock;

// What nginx's $ssl_client_escaped_cert does to a PEM certificate (all but unreserved escaped).
std::string escaped(const std::string& text) {
  std::string result;
  for (const unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      result += static_cast<char>(c);
    } else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", c);
      result += hex;
    }
  }
  return result;
}

// Root CA → a client certificate and a revoked one; files as the listener is configured.
class ForwardedClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = new Issued(issue(caSpec("Proxy Test Root", 1), nullptr));
    person_ = new Issued(issue(leafSpec("person", 2), root_));
    revoked_ = new Issued(issue(leafSpec("revoked", 3), root_));
  }
  static void TearDownTestSuite() {
    delete root_;
    delete person_;
    delete revoked_;
  }

  void SetUp() override {
    dir_ = makeTempDir();
    writeText(dir_ / "cas.pem", root_->certificate.toPem());
    publishCrl({revoked_});
    settings_.client_ca_file = (dir_ / "cas.pem").string();
    settings_.crl_files = {(dir_ / "root.crl").string()};
    trust_ = pki::ClientTrust::load(settings_).value();
    auto proxies = TrustedProxies::parse({"127.0.0.2"});
    ASSERT_TRUE(proxies);
    client_ = std::make_unique<ForwardedClient>(*proxies, "X-SSL-Client-Cert", trust_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void publishCrl(const std::vector<const Issued*>& revoked) {
    std::vector<pki::RevokedCertificate> entries;
    for (const Issued* certificate : revoked) {
      entries.push_back({certificate->certificate.serialHex(), now() - 1h});
    }
    writeText(dir_ / "root.crl", pki::issueCrl(root_->certificate, root_->key, entries, now() - 1h,
                                               now() + 24h, ++crlNumber_)
                                     .value());
  }

  static Issued* root_;
  static Issued* person_;
  static Issued* revoked_;
  std::filesystem::path dir_;
  pki::ServerTlsSettings settings_;
  std::int64_t crlNumber_ = 0;
  std::shared_ptr<pki::ClientTrust> trust_;
  std::unique_ptr<ForwardedClient> client_;
  const Clock::time_point t0_ = Clock::now();
};

Issued* ForwardedClientTest::root_ = nullptr;
Issued* ForwardedClientTest::person_ = nullptr;
Issued* ForwardedClientTest::revoked_ = nullptr;

TEST_F(ForwardedClientTest, DecodesEscapedAndPlainPem) {
  const std::string pem = person_->certificate.toPem();
  EXPECT_EQ(decodeCertificateHeader(escaped(pem)), pem);
  EXPECT_EQ(decodeCertificateHeader(pem), pem);
  std::string folded = pem;  // line breaks folded into spaces, as some proxies send PEM
  std::replace(folded.begin(), folded.end(), '\n', ' ');
  EXPECT_EQ(decodeCertificateHeader(folded), pem);
  std::string tabbed = pem;
  std::replace(tabbed.begin(), tabbed.end(), '\n', '\t');
  EXPECT_EQ(decodeCertificateHeader(tabbed), pem);
}

TEST_F(ForwardedClientTest, RefusesMalformedHeaders) {
  const std::string pem = person_->certificate.toPem();
  const std::string body = pem.substr(28, 40);
  const std::vector<std::string> malformed = {
      "garbage",
      escaped(pem) + "%4",
      "%zz" + escaped(pem),
      body,
      "-----BEGIN CERTIFICATE-----",
      "-----BEGIN CERTIFICATE----- -----END CERTIFICATE-----",
      "-----BEGIN CERTIFICATE----- AB!C -----END CERTIFICATE-----",
      "x" + pem,
      pem + "x",
      "-----END CERTIFICATE----- -----BEGIN CERTIFICATE-----"};
  for (const std::string& bad : malformed) {
    EXPECT_FALSE(decodeCertificateHeader(bad)) << bad;
  }
}

TEST_F(ForwardedClientTest, VerifiesTheForwardedCertificate) {
  const auto trusted = client_->verifyHeader(escaped(person_->certificate.toPem()), t0_);
  EXPECT_EQ(trusted.status, pki::PeerStatus::trusted) << trusted.detail;
  ASSERT_TRUE(trusted.certificate);
  EXPECT_EQ(trusted.certificate->toDer(), person_->certificate.toDer());
  EXPECT_EQ(client_->verifyHeader(escaped(revoked_->certificate.toPem()), t0_).status,
            pki::PeerStatus::revoked);
  EXPECT_EQ(client_->verifyHeader("", t0_).status, pki::PeerStatus::none);
  const auto malformed = client_->verifyHeader("%zz", t0_);
  EXPECT_EQ(malformed.status, pki::PeerStatus::invalid);
  EXPECT_FALSE(malformed.certificate);
  // Well-formed PEM around bytes that are no certificate.
  EXPECT_EQ(client_->verifyHeader("-----BEGIN CERTIFICATE----- AAAA -----END CERTIFICATE-----", t0_)
                .status,
            pki::PeerStatus::invalid);
}

TEST_F(ForwardedClientTest, ReusesAVerdictForAMinute) {
  const std::string header = escaped(person_->certificate.toPem());
  const auto first = client_->verifyHeader(header, t0_);
  // The same parsed certificate object comes back: nothing was verified again.
  EXPECT_EQ(client_->verifyHeader(header, t0_ + 59s).certificate->handle(),
            first.certificate->handle());
  EXPECT_NE(client_->verifyHeader(header, t0_ + 61s).certificate->handle(),
            first.certificate->handle());
}

TEST_F(ForwardedClientTest, AReloadDiscardsCachedVerdicts) {
  const std::string header = escaped(person_->certificate.toPem());
  ASSERT_EQ(client_->verifyHeader(header, t0_).status, pki::PeerStatus::trusted);
  publishCrl({revoked_, person_});
  ASSERT_TRUE(trust_->reloadIfChanged().value());
  EXPECT_EQ(client_->verifyHeader(header, t0_ + 1s).status, pki::PeerStatus::revoked);
}

TEST_F(ForwardedClientTest, KeepsABoundedNumberOfVerdicts) {
  const std::string header = escaped(person_->certificate.toPem());
  const auto first = client_->verifyHeader(header, t0_);
  for (std::size_t i = 0; i < ForwardedClient::kMaxVerdicts; ++i) {
    client_->verifyHeader("junk-" + std::to_string(i), t0_);
  }
  EXPECT_NE(client_->verifyHeader(header, t0_).certificate->handle(), first.certificate->handle())
      << "the cache grew beyond its bound";
}

TEST_F(ForwardedClientTest, TheClientComesFromTheHeadersOfEachRequest) {
  Connection proxy;
  proxy.id = 7;
  proxy.remote_address = "127.0.0.2";
  proxy.peer.status = pki::PeerStatus::trusted;  // the proxy's own certificate counts for nothing
  proxy.peer.certificate = root_->certificate;

  Request request{boost::beast::http::verb::get, "/", 11};
  request.set("X-SSL-Client-Cert", escaped(person_->certificate.toPem()));
  request.insert("X-Forwarded-For", "198.51.100.1");
  request.insert("X-Forwarded-For", "203.0.113.7");
  const Connection client = client_->clientOf(request, proxy, t0_);
  EXPECT_EQ(client.id, 7u);
  EXPECT_EQ(client.remote_address, "203.0.113.7");
  EXPECT_EQ(client.peer.status, pki::PeerStatus::trusted);
  ASSERT_TRUE(client.peer.certificate);
  EXPECT_EQ(client.peer.certificate->toDer(), person_->certificate.toDer());

  Request anonymous{boost::beast::http::verb::get, "/", 11};
  const Connection nobody = client_->clientOf(anonymous, proxy, t0_);
  EXPECT_EQ(nobody.peer.status, pki::PeerStatus::none);
  EXPECT_FALSE(nobody.peer.certificate);
  EXPECT_EQ(nobody.remote_address, "127.0.0.2");
}

TEST_F(ForwardedClientTest, ACertificateHeaderSentTwiceIsInvalid) {
  Connection proxy;
  proxy.remote_address = "127.0.0.2";
  const std::string person = escaped(person_->certificate.toPem());
  const std::string revoked = escaped(revoked_->certificate.toPem());
  // Each copy on its own would be believed (or refused), so only the duplication can refuse both.
  for (const auto& [first, second] :
       {std::pair{person, revoked}, std::pair{revoked, person}, std::pair{person, person},
        std::pair{std::string(), person}}) {
    Request request{boost::beast::http::verb::get, "/", 11};
    request.insert("X-SSL-Client-Cert", first);
    request.insert("x-ssl-client-cert", second);  // header names are case-insensitive
    const Connection client = client_->clientOf(request, proxy, t0_);
    EXPECT_EQ(client.peer.status, pki::PeerStatus::invalid) << first << " then " << second;
    EXPECT_FALSE(client.peer.certificate);
  }
}

TEST_F(ForwardedClientTest, ReadsEveryForwardedForHeaderInOrder) {
  Connection proxy;
  proxy.remote_address = "127.0.0.2";
  const auto clientAddress = [&](const std::vector<std::string>& headers) {
    Request request{boost::beast::http::verb::get, "/", 11};
    for (const std::string& value : headers) request.insert("X-Forwarded-For", value);
    return client_->clientOf(request, proxy, t0_).remote_address;
  };
  // The trusted hop in the last header is skipped into the one before it.
  EXPECT_EQ(clientAddress({"198.51.100.1", "203.0.113.7:51234, 127.0.0.2"}), "203.0.113.7");
  EXPECT_EQ(clientAddress({"198.51.100.1, 203.0.113.7", "127.0.0.2:443", ""}), "203.0.113.7");
  EXPECT_EQ(clientAddress({"203.0.113.7", "unknown"}), "127.0.0.2");
}

TEST_F(ForwardedClientTest, TrustsOnlyConfiguredProxies) {
  EXPECT_TRUE(client_->trusts("127.0.0.2"));
  EXPECT_FALSE(client_->trusts("127.0.0.1"));
  EXPECT_FALSE(client_->disabled());
  EXPECT_TRUE(ForwardedClient({}, "X-SSL-Client-Cert", trust_).disabled());
}

}  // namespace
}  // namespace http
