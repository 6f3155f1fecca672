#include "signer/protocol.hpp"

#include <gtest/gtest.h>

namespace signer {
namespace {

constexpr char kId[] = "q3Yb0Xk-Tr5_mW2aZpL9cA";

std::string errorOf(const core::Result<RequestTarget>& result) {
  return result ? "ok" : result.error().message;
}

TEST(ProtocolTest, OriginsAreNormalised) {
  EXPECT_EQ(originOf("https://Portal.Example.NL/").value(), "https://portal.example.nl");
  EXPECT_EQ(originOf("HTTPS://localhost:443/x?y").value(), "https://localhost");
  EXPECT_EQ(originOf("https://localhost:8443").value(), "https://localhost:8443");
  EXPECT_EQ(originOf("https://[::1]:8443/").value(), "https://[::1]:8443");
  EXPECT_FALSE(originOf("http://localhost:8443"));
  EXPECT_FALSE(originOf("https://user@localhost/"));
  EXPECT_FALSE(originOf("localhost:8443"));
  EXPECT_FALSE(originOf(""));
}

TEST(ProtocolTest, RequestUrlsAndIdsAreParsed) {
  auto target = parseRequestTarget(std::string("https://localhost:8443/m/") + kId, "");
  ASSERT_TRUE(target) << target.error().message;
  EXPECT_EQ(target->origin, "https://localhost:8443");
  EXPECT_EQ(target->id, kId);
  EXPECT_EQ(requestUrl(*target),
            std::string("https://localhost:8443/api/v1/mobile/requests/") + kId);
  EXPECT_EQ(answerUrl(*target), requestUrl(*target) + "/answer");
  EXPECT_EQ(answerUrl(*target, 42), requestUrl(*target) + "/answer?number=42");

  target = parseRequestTarget(kId, "https://localhost:8443/");
  ASSERT_TRUE(target) << target.error().message;
  EXPECT_EQ(target->origin, "https://localhost:8443");
  EXPECT_EQ(target->id, kId);
  // A trailing slash and the same portal given twice are fine.
  EXPECT_EQ(errorOf(parseRequestTarget(std::string("https://localhost:8443/m/") + kId + "/",
                                       "https://localhost:8443")),
            "ok");
}

TEST(ProtocolTest, MalformedTargetsAreRefused) {
  EXPECT_NE(errorOf(parseRequestTarget(kId, "")).find("--url"), std::string::npos);
  EXPECT_NE(errorOf(parseRequestTarget("short", "https://localhost")), "ok");
  EXPECT_NE(errorOf(parseRequestTarget(std::string("http://localhost/m/") + kId, "")), "ok");
  EXPECT_NE(errorOf(parseRequestTarget(std::string("https://localhost/x/") + kId, "")), "ok");
  EXPECT_NE(errorOf(parseRequestTarget("https://localhost/m/abc", "")), "ok");
  EXPECT_NE(errorOf(parseRequestTarget(std::string("https://localhost/m/") + kId + "x", "")), "ok");
  EXPECT_NE(errorOf(parseRequestTarget(kId, "ftp://localhost")), "ok");
  // A request URL on another portal than --url.
  EXPECT_NE(errorOf(parseRequestTarget(std::string("https://evil.example/m/") + kId,
                                       "https://localhost:8443"))
                .find("not on the portal of --url"),
            std::string::npos);
}

const std::string kSignJson = std::string(R"({"id":")") + kId +
                              R"(","kind":"sign","origin":"https://localhost:8443",)"
                              R"("nonce":"n0nce","expires_at":"2026-11-27T12:02:00Z",)"
                              R"("document":"Regel 1\nRegel 2","order_id":123})";

TEST(ProtocolTest, RequestJsonIsParsed) {
  auto request = parseMobileRequest(kSignJson);
  ASSERT_TRUE(request) << request.error().message;
  EXPECT_EQ(request->id, kId);
  EXPECT_EQ(request->kind, "sign");
  EXPECT_EQ(request->origin, "https://localhost:8443");
  EXPECT_EQ(request->nonce, "n0nce");
  EXPECT_EQ(request->expires_at, "2026-11-27T12:02:00Z");
  EXPECT_EQ(request->document, "Regel 1\nRegel 2");
  EXPECT_EQ(request->order_id, 123);

  auto login =
      parseMobileRequest(R"({"id":"a","kind":"login","origin":"https://x","document":""})");
  ASSERT_TRUE(login) << login.error().message;
  EXPECT_FALSE(login->order_id.has_value());

  EXPECT_FALSE(parseMobileRequest("not json"));
  EXPECT_FALSE(parseMobileRequest("[]"));
  EXPECT_FALSE(parseMobileRequest(R"({"id":"a","kind":"login","origin":"https://x"})"));
  EXPECT_FALSE(
      parseMobileRequest(R"({"id":"a","kind":"login","origin":"https://x","document":1})"));
}

TEST(ProtocolTest, RequestMustMatchOriginKindAndId) {
  const RequestTarget target{"https://localhost:8443", kId};
  const MobileRequest request = parseMobileRequest(kSignJson).value();
  EXPECT_TRUE(checkRequest(request, RequestKind::sign, target));

  const auto refusal = [&](MobileRequest changed, RequestKind kind) {
    auto checked = checkRequest(changed, kind, target);
    EXPECT_FALSE(checked);
    if (checked) return std::string();
    EXPECT_EQ(checked.error().kind, core::ErrorKind::forbidden);
    return checked.error().message;
  };
  EXPECT_NE(refusal(request, RequestKind::login).find("wrong kind"), std::string::npos);
  MobileRequest other = request;
  other.kind = "delete-everything";
  EXPECT_NE(refusal(other, RequestKind::sign).find("wrong kind"), std::string::npos);
  other = request;
  other.origin = "https://evil.example";
  EXPECT_NE(refusal(other, RequestKind::sign).find("origin mismatch"), std::string::npos);
  other.origin = "http://localhost:8443";
  EXPECT_NE(refusal(other, RequestKind::sign).find("origin mismatch"), std::string::npos);
  other.origin = "https://localhost:8444";
  EXPECT_NE(refusal(other, RequestKind::sign).find("origin mismatch"), std::string::npos);
  other = request;
  other.id = "AAAAAAAAAAAAAAAAAAAAAA";
  EXPECT_NE(refusal(other, RequestKind::sign).find("another request"), std::string::npos);
  // The same origin spelled differently is the same origin.
  other = request;
  other.origin = "https://LOCALHOST:8443/";
  EXPECT_TRUE(checkRequest(other, RequestKind::sign, target));
}

TEST(ProtocolTest, RefusalsSayWhatWentWrong) {
  const auto expired = refusalOf(
      {410, "application/problem+json",
       R"({"type":"about:blank#expired","title":"Verlopen","status":410,"detail":"Te laat."})"},
      "the signature");
  EXPECT_EQ(expired.kind, core::ErrorKind::gone);
  EXPECT_EQ(expired.message,
            "the portal refused the signature (HTTP 410, expired): the request has expired; "
            "start again in the browser\n  portal: Te laat.");
  const auto invalid =
      refusalOf({400, "application/problem+json",
                 R"({"type":"about:blank#invalid","detail":"x","errors":[{"field":"signature",)"
                 R"("message":"Het certificaat is ingetrokken."}]})"},
                "the signature");
  EXPECT_EQ(invalid.kind, core::ErrorKind::invalid);
  EXPECT_NE(invalid.message.find("did not accept the signature"), std::string::npos);
  EXPECT_NE(invalid.message.find("reason: Het certificaat is ingetrokken."), std::string::npos);
  const auto gateway = refusalOf({502, "text/html", "<html>"}, "to show the request");
  EXPECT_EQ(gateway.kind, core::ErrorKind::unavailable);
  EXPECT_EQ(gateway.message, "the portal refused to show the request (HTTP 502)");
  EXPECT_NE(refusalOf({404, "application/problem+json", R"({"type":"about:blank#unknown"})"}, "")
                .message.find("no such request"),
            std::string::npos);
}

TEST(ProtocolTest, EnrolmentBodiesAndAnswers) {
  EXPECT_EQ(enrollmentBody("ABCD-EFGH", "-----BEGIN\n\"x\""),
            R"({"code":"ABCD-EFGH","csr":"-----BEGIN\n\"x\""})");
  auto enrolled = parseEnrollment(R"({"certificate":"C","chain":"CH","order_id":7})");
  ASSERT_TRUE(enrolled) << enrolled.error().message;
  EXPECT_EQ(enrolled->certificate, "C");
  EXPECT_EQ(enrolled->chain, "CH");
  EXPECT_EQ(enrolled->order_id, 7);
  EXPECT_FALSE(parseEnrollment(R"({"chain":"CH"})"));
  auto outcome = parseAnswerOutcome(R"({"status":"completed","order_status":"submitted"})");
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_EQ(outcome->status, "completed");
  EXPECT_EQ(outcome->order_status, "submitted");
  EXPECT_FALSE(parseAnswerOutcome("{}"));
}

TEST(ProtocolTest, TerminalControlsAreShownEscaped) {
  EXPECT_EQ(printable("Regel 1\n\tRegel 2 é"), "Regel 1\n\tRegel 2 é");
  EXPECT_EQ(printable("a\x1b[2Jb\rc\x7f"), "a\\x1b[2Jb\\x0dc\\x7f");
  EXPECT_EQ(printable("x\xc2\x9by"), "x\\xc2\\x9by");           // C1 CSI
  EXPECT_EQ(printable("x\xe2\x80\xaey"), "x\\xe2\\x80\\xaey");  // right-to-left override
  EXPECT_EQ(printable("\xe2\x82\xac"), "\xe2\x82\xac");         // the euro sign stays
}

}  // namespace
}  // namespace signer
