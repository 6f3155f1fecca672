#include "signer/commands.hpp"

#include "../pki/signing_test_support.hpp"
#include "pki/certificate_builder.hpp"
#include "pki/certificate_request.hpp"
#include "pki/cms.hpp"
#include "pki/public_key.hpp"
#include "signer_test_support.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <sys/stat.h>
#include <sstream>

namespace signer {
namespace {

using test::FakePortal;
using test::json;
using test::Sent;

constexpr char kId[] = "q3Yb0Xk-Tr5_mW2aZpL9cA";
constexpr char kPortal[] = "https://localhost:8443";

core::Result<Options> parse(std::vector<std::string> args) {
  return parseArguments(args);
}

TEST(ArgumentsTest, CommandsAndOptionsAreParsed) {
  auto options = parse({"sign", std::string(kPortal) + "/m/" + kId, "--p12", "me.p12",
                        "--password-env", "PW", "--cacert", "root.crt", "--yes"});
  ASSERT_TRUE(options) << options.error().message;
  EXPECT_EQ(options->command, "sign");
  EXPECT_EQ(options->request, std::string(kPortal) + "/m/" + kId);
  EXPECT_EQ(options->keys.p12_file, "me.p12");
  EXPECT_EQ(options->keys.password_env, "PW");
  EXPECT_FALSE(options->keys.password.has_value());
  EXPECT_EQ(options->cacert, "root.crt");
  EXPECT_TRUE(options->yes);

  options = parse({"login", kId, "--url", kPortal, "--pkcs11", "pkcs11:token=t;object=k",
                   "--module", "m.so", "--pin-env", "PIN", "--password", ""});
  ASSERT_TRUE(options) << options.error().message;
  EXPECT_EQ(options->url, kPortal);
  EXPECT_EQ(options->keys.pkcs11_uri, "pkcs11:token=t;object=k");
  EXPECT_EQ(options->keys.password, "");
  EXPECT_FALSE(options->yes);

  options =
      parse({"enroll", "--url", kPortal, "--code", "A-B", "--key-out", "k", "--cert-out", "c"});
  ASSERT_TRUE(options) << options.error().message;
  EXPECT_EQ(options->code, "A-B");
  EXPECT_EQ(parse({"login", "--help"})->command, "help");
  // base64url ids may start with '-'.
  EXPECT_EQ(parse({"login", "-3Yb0Xk-Tr5_mW2aZpL9cA", "--url", kPortal})->request,
            "-3Yb0Xk-Tr5_mW2aZpL9cA");
}

TEST(ArgumentsTest, UsageErrorsAreExplained) {
  const auto error = [](std::vector<std::string> args) {
    auto options = parse(std::move(args));
    return options ? std::string("ok") : options.error().message;
  };
  EXPECT_EQ(error({}), "no command given");
  EXPECT_EQ(error({"frobnicate"}), "unknown command frobnicate");
  EXPECT_EQ(error({"sign"}), "sign needs one request URL (https://PORTAL/m/ID) or id");
  EXPECT_EQ(error({"sign", "a", "b"}), "sign needs one request URL (https://PORTAL/m/ID) or id");
  EXPECT_EQ(error({"sign", "a", "--insecure"}), "unknown option --insecure");
  EXPECT_EQ(error({"sign", "a", "--key"}), "--key needs a value");
  EXPECT_EQ(error({"enroll", "--url", kPortal, "--code", "x", "--key-out", "k"}),
            "--cert-out is required");
  // Number matching (ADR 0021): a login answered without asking must be told the number.
  EXPECT_EQ(error({"login", kId, "--url", kPortal, "--yes"}),
            "login --yes needs --number NN: the number the browser shows");
  EXPECT_EQ(error({"sign", kId, "--url", kPortal, "--number", "42"}), "--number is for login only");
  EXPECT_EQ(error({"login", kId, "--url", kPortal, "--yes", "--number", "42"}), "ok");
}

class AnswerTest : public pki::test::SigningPkiTest {
 protected:
  static std::string requestJson(const std::string& kind, const std::string& origin = kPortal) {
    boost::json::object request{{"id", kId},
                                {"kind", kind},
                                {"origin", origin},
                                {"nonce", "n0nce"},
                                {"expires_at", "2026-11-27T12:02:00Z"},
                                {"document", kDocument},
                                {"order_id", 42}};
    if (kind == "login") {
      request["choices"] = boost::json::array{17, 42, 83};
      request["browser"] = boost::json::object{{"description", "Firefox op Linux"},
                                               {"address", "203.0.113.7"},
                                               {"started_at", "2026-11-27T12:00:00Z"}};
    }
    return boost::json::serialize(request);
  }

  // The portal: the request of `kind` from `origin`, and `answer` to the signature.
  static FakePortal portal(const std::string& kind, const std::string& origin = kPortal,
                           HttpResponse answer = json(200, R"({"status":"completed"})")) {
    return FakePortal([=](const Sent& sent) -> core::Result<HttpResponse> {
      if (sent.method == "GET" &&
          sent.url == std::string(kPortal) + "/api/v1/mobile/requests/" + kId)
        return json(200, requestJson(kind, origin));
      if (sent.method == "POST" &&
          sent.url.starts_with(std::string(kPortal) + "/api/v1/mobile/requests/" + kId + "/answer"))
        return answer;
      return json(404, R"({"type":"about:blank#not-found"})");
    });
  }

  Options options(const std::string& command, bool yes = true) const {
    Options parsed;
    parsed.command = command;
    parsed.request = std::string(kPortal) + "/m/" + kId;
    parsed.yes = yes;
    if (command == "login" && yes) parsed.number = number_;
    parsed.keys.key_file = (pki_->dir() / "contact.key").string();
    parsed.keys.cert_file = (pki_->dir() / "contact.crt").string();
    return parsed;
  }

  core::Result<void> run(FakePortal& fake, const std::string& command, RequestKind kind,
                         const std::string& input = "", bool yes = true) {
    std::istringstream in(input);
    out_.str("");
    return answer(options(command, yes), kind, fake, in, out_);
  }

  static std::string errorOf(const core::Result<void>& result) {
    return result ? "ok" : result.error().message;
  }

  static inline const std::string kDocument =
      pki::test::orderDocument("B-2026-000042", "00ff00ff00ff00ff");
  std::ostringstream out_;
  std::string number_ = "42";  ///< --number of a login with --yes
};

TEST_F(AnswerTest, SignPostsADetachedSignatureOverTheDocument) {
  FakePortal fake =
      portal("sign", kPortal, json(200, R"({"status":"completed","order_status":"submitted"})"));
  ASSERT_EQ(errorOf(run(fake, "sign", RequestKind::sign)), "ok");
  ASSERT_EQ(fake.sent.size(), 2u);
  EXPECT_EQ(fake.sent[1].content_type, "application/pkcs7-signature");
  auto verified =
      pki::verifyDetachedSignature(fake.sent[1].body, kDocument, *trust_, pki::test::now());
  ASSERT_TRUE(verified) << verified.error().message;
  EXPECT_EQ(verified->signer.sha256Fingerprint(), pki_->certificate("contact").sha256Fingerprint());
  EXPECT_NE(out_.str().find(kDocument), std::string::npos) << out_.str();
  EXPECT_NE(out_.str().find("Kind:        sign"), std::string::npos) << out_.str();
  EXPECT_NE(out_.str().find("Order:       42"), std::string::npos) << out_.str();
  EXPECT_NE(out_.str().find(std::string("Portal:      ") + kPortal), std::string::npos)
      << out_.str();
  EXPECT_NE(out_.str().find("the order is now submitted"), std::string::npos) << out_.str();
}

TEST_F(AnswerTest, LoginAsksForConfirmation) {
  FakePortal declined = portal("login");
  EXPECT_EQ(errorOf(run(declined, "login", RequestKind::login, "\n", false)),
            "declined: nothing was signed");
  EXPECT_EQ(declined.sent.size(), 1u);
  EXPECT_NE(out_.str().find("Log in? [y/N]"), std::string::npos) << out_.str();
  FakePortal no_input = portal("login");
  EXPECT_EQ(errorOf(run(no_input, "login", RequestKind::login, "", false)),
            "declined: nothing was signed");
  // Agreeing is not enough: the number the browser shows is asked as well.
  FakePortal no_number = portal("login");
  EXPECT_EQ(errorOf(run(no_number, "login", RequestKind::login, " Y \n", false)),
            "declined: nothing was signed");
  EXPECT_EQ(no_number.sent.size(), 1u);
  FakePortal accepted = portal("login");
  EXPECT_EQ(errorOf(run(accepted, "login", RequestKind::login, " Y \n 42 \n", false)), "ok");
  ASSERT_EQ(accepted.sent.size(), 2u);
  EXPECT_EQ(accepted.sent[1].url,
            std::string(kPortal) + "/api/v1/mobile/requests/" + kId + "/answer?number=42");
  EXPECT_NE(out_.str().find("Which number does the browser show?"), std::string::npos);
  EXPECT_NE(out_.str().find("Logged in"), std::string::npos) << out_.str();
}

TEST_F(AnswerTest, LoginShowsTheBrowserAndTheChoicesAndPostsThePick) {
  FakePortal fake = portal("login");
  ASSERT_EQ(errorOf(run(fake, "login", RequestKind::login)), "ok");
  ASSERT_EQ(fake.sent.size(), 2u);
  EXPECT_TRUE(fake.sent[1].url.ends_with("/answer?number=42")) << fake.sent[1].url;
  for (const char* shown : {"Browser:     Firefox op Linux", "Address:     203.0.113.7",
                            "Started:     2026-11-27T12:00:00Z", "Numbers:     17 42 83"})
    EXPECT_NE(out_.str().find(shown), std::string::npos) << shown << "\n" << out_.str();
}

TEST_F(AnswerTest, ANumberNotOfferedSignsNothing) {
  for (const char* number : {"55", "4", "x", "42x", "-17"}) {
    number_ = number;
    FakePortal fake = portal("login");
    const auto error = errorOf(run(fake, "login", RequestKind::login));
    EXPECT_NE(error.find("wrong number"), std::string::npos) << number << ": " << error;
    EXPECT_NE(error.find("nothing was signed"), std::string::npos) << error;
    EXPECT_EQ(fake.sent.size(), 1u) << number;
  }
}

TEST_F(AnswerTest, AWrongPickIsCancelledByThePortalAndSaysSo) {
  number_ = "17";
  FakePortal fake =
      portal("login", kPortal,
             json(409, R"({"type":"about:blank#wrong_number","detail":"Ander nummer gekozen."})"));
  const auto error = errorOf(run(fake, "login", RequestKind::login));
  ASSERT_EQ(fake.sent.size(), 2u);
  EXPECT_TRUE(fake.sent[1].url.ends_with("/answer?number=17")) << fake.sent[1].url;
  EXPECT_NE(error.find("HTTP 409, wrong_number"), std::string::npos) << error;
  EXPECT_NE(error.find("cancelled the request"), std::string::npos) << error;
}

TEST_F(AnswerTest, ALoginWithoutThreeNumbersIsRefused) {
  FakePortal old([](const Sent& sent) -> core::Result<HttpResponse> {
    if (sent.method != "GET") return json(500, "{}");
    auto request = boost::json::parse(requestJson("login")).as_object();
    request["choices"] = boost::json::array{42, 42, 17};
    return json(200, boost::json::serialize(request));
  });
  EXPECT_NE(errorOf(run(old, "login", RequestKind::login)).find("no three numbers"),
            std::string::npos);
  EXPECT_EQ(old.sent.size(), 1u);
}

TEST_F(AnswerTest, OriginOrKindMismatchSignsNothing) {
  FakePortal relayed = portal("sign", "https://evil.example");
  EXPECT_NE(errorOf(run(relayed, "sign", RequestKind::sign)).find("origin mismatch"),
            std::string::npos);
  EXPECT_EQ(relayed.sent.size(), 1u);
  EXPECT_EQ(out_.str(), "");
  FakePortal login = portal("login");
  EXPECT_NE(errorOf(run(login, "sign", RequestKind::sign)).find("wrong kind"), std::string::npos);
  EXPECT_EQ(login.sent.size(), 1u);
  FakePortal sign = portal("sign");
  EXPECT_NE(errorOf(run(sign, "login", RequestKind::login)).find("wrong kind"), std::string::npos);
  EXPECT_EQ(sign.sent.size(), 1u);
}

TEST_F(AnswerTest, PortalRefusalsAreShown) {
  FakePortal used =
      portal("sign", kPortal,
             json(409, R"({"type":"about:blank#used","detail":"Dit verzoek is al beantwoord."})"));
  EXPECT_EQ(errorOf(run(used, "sign", RequestKind::sign)),
            "the portal refused the signature (HTTP 409, used): the request has already been "
            "answered\n  portal: Dit verzoek is al beantwoord.");
  FakePortal unknown([](const Sent&) -> core::Result<HttpResponse> {
    return json(404, R"({"type":"about:blank#unknown","detail":"Onbekend verzoek."})");
  });
  EXPECT_NE(errorOf(run(unknown, "login", RequestKind::login)).find("no such request"),
            std::string::npos);
  FakePortal down([](const Sent&) -> core::Result<HttpResponse> {
    return core::makeError(core::ErrorKind::unavailable, "cannot reach the portal");
  });
  EXPECT_EQ(errorOf(run(down, "login", RequestKind::login)), "cannot reach the portal");
}

class EnrollTest : public ::testing::Test {
 protected:
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Options options() const {
    Options parsed;
    parsed.command = "enroll";
    parsed.url = kPortal;
    parsed.code = " ABCD-EFGH-JKLM-NPQR ";
    parsed.key_out = (dir_ / "key.pem").string();
    parsed.cert_out = (dir_ / "cert.pem").string();
    return parsed;
  }

  // The portal's CA: issues a certificate for the CSR's key.
  core::Result<HttpResponse> issue(const Sent& sent) {
    EXPECT_EQ(sent.url, std::string(kPortal) + "/api/v1/mobile/enroll");
    EXPECT_EQ(sent.content_type, "application/json");
    const auto body = boost::json::parse(sent.body).as_object();
    EXPECT_EQ(body.at("code").as_string(), "ABCD-EFGH-JKLM-NPQR");
    auto request = pki::CertificateRequest::fromPem(std::string(body.at("csr").as_string()));
    EXPECT_TRUE(request && request->hasValidSignature());
    auto built = pki::buildCertificate(pki::test::leafSpec("mobiel", 9),
                                       request->publicKey().value(), ca_.certificate);
    auto signed_certificate =
        pki::signCertificate(std::move(built.value()), ca_.certificate, ca_.key, false);
    return json(201, boost::json::serialize(
                         boost::json::object{{"certificate", signed_certificate.value().toPem()},
                                             {"chain", ca_.certificate.toPem()},
                                             {"order_id", 77}}));
  }

  pki::test::Issued ca_ = pki::test::issue(pki::test::caSpec("Mobile CA", 9), nullptr);
  std::filesystem::path dir_ = pki::test::makeTempDir();
  std::ostringstream out_;
};

TEST_F(EnrollTest, KeyAndCertificateWithChainAreWritten) {
  FakePortal fake([this](const Sent& sent) { return issue(sent); });
  auto enrolled = enroll(options(), fake, out_);
  ASSERT_TRUE(enrolled) << enrolled.error().message;
  struct stat key_stat {};
  ASSERT_EQ(::stat((dir_ / "key.pem").c_str(), &key_stat), 0);
  EXPECT_EQ(key_stat.st_mode & 0777, 0600u);
  // What was written is a usable identity: key, certificate and the CA.
  auto identity = loadIdentity(
      {.key_file = (dir_ / "key.pem").string(), .cert_file = (dir_ / "cert.pem").string()});
  ASSERT_TRUE(identity) << identity.error().message;
  ASSERT_EQ(identity->chain.size(), 1u);
  EXPECT_EQ(identity->chain[0].sha256Fingerprint(), ca_.certificate.sha256Fingerprint());
  EXPECT_NE(out_.str().find("Order:       77"), std::string::npos) << out_.str();
  // Enrolling again would overwrite the key: refused before the portal is asked.
  EXPECT_FALSE(enroll(options(), fake, out_));
  EXPECT_EQ(fake.sent.size(), 1u);
}

TEST_F(EnrollTest, RefusedCodeLeavesNoKeyBehind) {
  FakePortal fake([](const Sent&) -> core::Result<HttpResponse> {
    return json(404, R"({"type":"about:blank#invalid_code","detail":"Onbekende code."})");
  });
  auto enrolled = enroll(options(), fake, out_);
  ASSERT_FALSE(enrolled);
  EXPECT_NE(enrolled.error().message.find("the enrolment code is wrong"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "key.pem"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "cert.pem"));
}

TEST_F(EnrollTest, CertificateForAnotherKeyIsRefused) {
  FakePortal fake([this](const Sent&) -> core::Result<HttpResponse> {
    return json(
        201, boost::json::serialize(boost::json::object{{"certificate", ca_.certificate.toPem()}}));
  });
  auto enrolled = enroll(options(), fake, out_);
  ASSERT_FALSE(enrolled);
  EXPECT_EQ(enrolled.error().message, "the portal returned a certificate for another key");
  EXPECT_FALSE(std::filesystem::exists(dir_ / "key.pem"));
}

}  // namespace
}  // namespace signer
