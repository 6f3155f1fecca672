#include "http/forwarded_client.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

namespace http {
namespace {

constexpr std::string_view kBegin = "-----BEGIN CERTIFICATE-----";
constexpr std::string_view kEnd = "-----END CERTIFICATE-----";
constexpr std::string_view kForwardedFor = "X-Forwarded-For";
// PEM wraps base64 at 64 characters a line (RFC 7468 §2).
constexpr std::size_t kPemLineLength = 64;
// The header is the client's to fill: log no more of an entry than an address needs.
constexpr std::size_t kMaxLoggedEntryLength = 64;

bool isWhitespace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool isBase64(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/' || c == '=';
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 3986 percent-decoding; '+' stays '+' (it is base64 here, not a form-encoded space).
std::optional<std::string> percentDecoded(std::string_view text) {
  std::string decoded;
  decoded.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      decoded += text[i];
      continue;
    }
    const int high = i + 2 < text.size() ? hexValue(text[i + 1]) : -1;
    const int low = i + 2 < text.size() ? hexValue(text[i + 2]) : -1;
    if (high < 0 || low < 0) return std::nullopt;
    decoded += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return decoded;
}

bool onlyWhitespace(std::string_view text) {
  return std::all_of(text.begin(), text.end(), isWhitespace);
}

// All values of a header that may be sent more than once, as one comma-separated list.
std::string joinedValues(const Request& request, std::string_view name) {
  std::string joined;
  const auto [first, last] = request.equal_range(name);
  for (auto field = first; field != last; ++field) {
    if (!joined.empty()) joined += ',';
    joined.append(field->value().data(), field->value().size());
  }
  return joined;
}

}  // namespace

std::optional<std::string> decodeCertificateHeader(std::string_view value) {
  auto text = percentDecoded(value);
  if (!text) return std::nullopt;
  const auto begin = text->find(kBegin);
  const auto end = text->find(kEnd);
  if (begin == std::string::npos || end == std::string::npos || end < begin ||
      !onlyWhitespace(std::string_view(*text).substr(0, begin)) ||
      !onlyWhitespace(std::string_view(*text).substr(end + kEnd.size()))) {
    return std::nullopt;
  }
  // Proxies fold the line breaks of PEM into spaces or tabs; OpenSSL needs them back.
  std::string base64;
  for (const char c :
       std::string_view(*text).substr(begin + kBegin.size(), end - begin - kBegin.size())) {
    if (isWhitespace(c)) continue;
    if (!isBase64(c)) return std::nullopt;
    base64 += c;
  }
  if (base64.empty()) return std::nullopt;
  std::string pem(kBegin);
  pem += '\n';
  for (std::size_t i = 0; i < base64.size(); i += kPemLineLength) {
    pem += base64.substr(i, kPemLineLength);
    pem += '\n';
  }
  pem += kEnd;
  pem += '\n';
  return pem;
}

ForwardedClient::ForwardedClient(TrustedProxies proxies, std::string certificate_header,
                                 std::shared_ptr<const pki::ClientTrust> trust)
    : proxies_(std::move(proxies)),
      certificateHeader_(std::move(certificate_header)),
      trust_(std::move(trust)) {}

Connection ForwardedClient::clientOf(const Request& request, const Connection& proxy,
                                     Clock::time_point now) {
  Connection client;
  client.id = proxy.id;
  // A proxy that appends rather than replaces puts the client's own header first: believe no copy.
  if (request.count(certificateHeader_) > 1) {
    client.peer = {pki::PeerStatus::invalid, std::nullopt,
                   "client certificate header sent more than once"};
  } else {
    const auto header = request[certificateHeader_];
    client.peer = verifyHeader({header.data(), header.size()}, now);
  }
  auto forwarded =
      proxies_.clientAddress(joinedValues(request, kForwardedFor), proxy.remote_address);
  if (!forwarded.unusable_entry.empty()) {
    spdlog::debug("unusable {} entry '{}' conn={} from={}: client address taken as {}",
                  kForwardedFor, forwarded.unusable_entry.substr(0, kMaxLoggedEntryLength),
                  proxy.id, proxy.remote_address, forwarded.address);
  }
  client.remote_address = std::move(forwarded.address);
  return client;
}

pki::PeerVerification ForwardedClient::verifyHeader(std::string_view value, Clock::time_point now) {
  if (onlyWhitespace(value)) return {};  // the proxy's client presented no certificate
  const std::uint64_t generation = trust_->generation();
  {
    std::lock_guard lock(mutex_);
    if (verdictsGeneration_ != generation) {
      verdicts_.clear();
      verdictsGeneration_ = generation;
    }
    if (auto found = verdicts_.find(std::string(value));
        found != verdicts_.end() && now < found->second.expires) {
      return found->second.peer;
    }
  }
  // Verified outside the lock: a chain check takes milliseconds.
  const auto pem = decodeCertificateHeader(value);
  pki::PeerVerification peer = pem ? trust_->verify(*pem)
                                   : pki::PeerVerification{pki::PeerStatus::invalid, std::nullopt,
                                                           "malformed client certificate header"};

  std::lock_guard lock(mutex_);
  if (verdictsGeneration_ != generation) return peer;  // made with a store replaced meanwhile
  if (verdicts_.size() >= kMaxVerdicts) {
    std::erase_if(verdicts_, [now](const auto& entry) { return entry.second.expires <= now; });
    // Still full of live entries: start over rather than track use (a rare, harmless cost).
    if (verdicts_.size() >= kMaxVerdicts) verdicts_.clear();
  }
  verdicts_.insert_or_assign(std::string(value), Verdict{peer, now + kVerdictLifetime});
  return peer;
}

}  // namespace http
