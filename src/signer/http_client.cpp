#include "signer/http_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <mutex>

namespace signer {
namespace {

using CurlPtr = std::unique_ptr<CURL, decltype(&curl_easy_cleanup)>;
using HeaderListPtr = std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)>;

struct Received {
  std::string body;
  bool too_large = false;
};

std::size_t collect(char* data, std::size_t size, std::size_t count, void* user) {
  auto* received = static_cast<Received*>(user);
  const std::size_t bytes = size * count;
  if (received->body.size() + bytes > CurlTransport::max_response_bytes) {
    received->too_large = true;
    return 0;  // aborts the transfer
  }
  received->body.append(data, bytes);
  return bytes;
}

// "application/problem+json; charset=utf-8" → "application/problem+json".
std::string mediaType(const char* header) {
  std::string type = header == nullptr ? "" : header;
  type = type.substr(0, type.find(';'));
  while (!type.empty() && std::isspace(static_cast<unsigned char>(type.back()))) type.pop_back();
  std::ranges::transform(type, type.begin(), [](unsigned char c) { return std::tolower(c); });
  return type;
}

core::Error transferError(CURLcode code, const std::string& url, const char* detail) {
  const std::string reason = detail[0] != '\0' ? detail : curl_easy_strerror(code);
  switch (code) {
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
      return core::makeError(core::ErrorKind::unavailable,
                             "TLS failure with " + url + ": " + reason +
                                 " (is --cacert the CA that issued the portal's certificate?)");
    case CURLE_UNSUPPORTED_PROTOCOL:
      return core::makeError(core::ErrorKind::invalid, "only https:// URLs are allowed: " + url);
    default:
      return core::makeError(core::ErrorKind::unavailable,
                             "cannot reach the portal at " + url + ": " + reason);
  }
}

}  // namespace

CurlTransport::CurlTransport(std::string ca_file) : ca_file_(std::move(ca_file)) {
  static std::once_flag initialised;
  std::call_once(initialised, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

core::Result<HttpResponse> CurlTransport::get(const std::string& url) {
  return perform(url, nullptr, {});
}

core::Result<HttpResponse> CurlTransport::post(const std::string& url,
                                               std::string_view content_type,
                                               std::string_view body) {
  const std::string type(content_type);
  return perform(url, &type, body);
}

core::Result<HttpResponse> CurlTransport::perform(const std::string& url,
                                                  const std::string* content_type,
                                                  std::string_view body) {
  CurlPtr curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return core::makeError(core::ErrorKind::internal, "cannot start libcurl");
  HeaderListPtr headers(curl_slist_append(nullptr, "Accept: application/json"),
                        curl_slist_free_all);
  if (content_type != nullptr) {
    curl_slist* extended =
        curl_slist_append(headers.get(), ("Content-Type: " + *content_type).c_str());
    if (extended == nullptr) return core::makeError(core::ErrorKind::internal, "out of memory");
  }
  Received received;
  char error[CURL_ERROR_SIZE] = {};
  CURL* handle = curl.get();
  curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "https");
  curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(handle, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(handle, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(handle, CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_2);
  if (!ca_file_.empty()) curl_easy_setopt(handle, CURLOPT_CAINFO, ca_file_.c_str());
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(handle, CURLOPT_TIMEOUT, 30L);
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_USERAGENT, "mijncert-signer/1");
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &received);
  if (content_type != nullptr) {
    curl_easy_setopt(handle, CURLOPT_POST, 1L);
    curl_easy_setopt(handle, CURLOPT_POSTFIELDS, body.empty() ? "" : body.data());
    curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  const CURLcode code = curl_easy_perform(handle);
  if (received.too_large) {
    return core::makeError(core::ErrorKind::too_large,
                           "the portal's answer from " + url + " is too large");
  }
  if (code != CURLE_OK) return transferError(code, url, error);
  HttpResponse response;
  long status = 0;
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
  response.status = static_cast<int>(status);
  char* type = nullptr;
  curl_easy_getinfo(handle, CURLINFO_CONTENT_TYPE, &type);
  response.content_type = mediaType(type);
  response.body = std::move(received.body);
  return response;
}

}  // namespace signer
