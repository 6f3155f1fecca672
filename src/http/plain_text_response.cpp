// The transport's own answers (413, 431, 404, 500, …) are short plain texts: they happen before or
// outside the web layer, which renders the real pages.

#include "http/handler.hpp"

namespace http {

Response plainTextResponse(boost::beast::http::status status, std::string_view text,
                           unsigned version) {
  Response response{status, version};
  response.set(boost::beast::http::field::content_type, "text/plain; charset=utf-8");
  response.body() = text;
  response.prepare_payload();
  return response;
}

}  // namespace http
