// GET /crl/<ca>.crl: the current CRL of each issuing CA (RFC 5280 §5), public and without a
// client certificate, since relying parties fetch it from the cRLDistributionPoints URL.

#include "web/context.hpp"
#include "web/routes.hpp"

namespace web {

namespace bhttp = boost::beast::http;

namespace {

constexpr std::string_view kSuffix = ".crl";

http::Response notFound(RequestContext& context) {
  return problem(context, bhttp::status::not_found, "not-found",
                 context.texts().text("error.not_found.title"), "");
}

}  // namespace

void addCrlRoutes(Router& router, PortalServices& services) {
  // The router's placeholder matches one whole segment, so the ".crl" suffix is checked here.
  router.add({bhttp::verb::get, "/crl/{file}", Access::anyone, Format::json,
              [&services](RequestContext& context) -> http::Reply {
                const std::string& file = context.parameters["file"];
                if (!file.ends_with(kSuffix)) return notFound(context);
                auto der = services.crls.der(file.substr(0, file.size() - kSuffix.size()));
                if (!der) return failure(context, der.error(), true);
                if (!*der) return notFound(context);
                http::Response response{bhttp::status::ok, context.request.version()};
                // RFC 2585 §4.2: a DER CRL is application/pkix-crl.
                response.set(bhttp::field::content_type, "application/pkix-crl");
                // Relying parties may cache it briefly; a new CRL is published on every change.
                response.set(bhttp::field::cache_control, "public, max-age=300");
                response.body().assign((*der)->begin(), (*der)->end());
                response.prepare_payload();
                return response;
              }});
}

}  // namespace web
