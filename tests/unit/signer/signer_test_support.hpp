#pragma once
// A portal stand-in for the signer app's tests: records every request and answers with a
// scripted function.

#include "signer/http_client.hpp"

#include <functional>
#include <string>
#include <vector>

namespace signer::test {

/// One request the app sent.
struct Sent {
  std::string method;  ///< GET or POST
  std::string url;
  std::string content_type;
  std::string body;
};

/// An HttpTransport that answers from `respond`.
class FakePortal final : public HttpTransport {
 public:
  using Responder = std::function<core::Result<HttpResponse>(const Sent&)>;
  explicit FakePortal(Responder respond) : respond_(std::move(respond)) {}

  core::Result<HttpResponse> get(const std::string& url) override {
    sent.push_back({"GET", url, "", ""});
    return respond_(sent.back());
  }
  core::Result<HttpResponse> post(const std::string& url, std::string_view content_type,
                                  std::string_view body) override {
    sent.push_back({"POST", url, std::string(content_type), std::string(body)});
    return respond_(sent.back());
  }

  std::vector<Sent> sent;

 private:
  Responder respond_;
};

/// A JSON response.
inline HttpResponse json(int status, std::string body) {
  return {status, status < 300 ? "application/json" : "application/problem+json", std::move(body)};
}

}  // namespace signer::test
