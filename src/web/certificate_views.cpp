#include "web/certificate_views.hpp"

#include "web/certificate_export.hpp"

#include <array>
#include <string_view>
#include <utility>

namespace web {

namespace {

/// Values of the "sortering" parameter and the orders they choose.
constexpr std::array<std::pair<std::string_view, storage::CertificateSort>, 4> kSorts{{
    {"einddatum", storage::CertificateSort::not_after_ascending},
    {"einddatum-aflopend", storage::CertificateSort::not_after_descending},
    {"naam", storage::CertificateSort::name_ascending},
    {"naam-aflopend", storage::CertificateSort::name_descending},
}};

/// The filter parameters of the overview, in the order a query string lists them.
constexpr std::array<std::string_view, 4> kFilterParameters{"zoek", "status", "verloopt",
                                                            "sortering"};

/// Longest search text used (a longer one is cut: no query needs more).
constexpr std::size_t kMaxSearchLength = 200;

std::string queryValue(const RequestContext& context, std::string_view name) {
  const auto found = context.target.query.find(name);
  return found == context.target.query.end() ? std::string() : found->second;
}

}  // namespace

storage::CertificateQuery overviewQuery(const RequestContext& context,
                                        core::OrganisationId organisation, core::TimePoint now) {
  storage::CertificateQuery query{.organisation = organisation, .now = now};
  query.search = queryValue(context, "zoek").substr(0, kMaxSearchLength);
  query.status = core::parseCertificateStatus(queryValue(context, "status"));
  const auto within = queryValue(context, "verloopt");
  if (within == "30" || within == "60" || within == "90")
    query.expiring_within_days = std::stoi(within);
  const auto sort = queryValue(context, "sortering");
  for (const auto& [name, order] : kSorts)
    if (name == sort) query.sort = order;
  if (const auto page = idQuery(context, "pagina"); page && *page < 1'000'000)
    query.offset = int(*page - 1) * query.limit;
  return query;
}

std::string filterQueryString(const RequestContext& context) {
  std::string text;
  for (const auto name : kFilterParameters) {
    const auto value = queryValue(context, name);
    if (value.empty()) continue;
    text += (text.empty() ? "?" : "&") + std::string(name) + "=" + encodeQueryValue(value);
  }
  return text;
}

boost::json::object statusModel(const Catalogue& t, core::CertificateStatus status) {
  const std::string code(core::toString(status));
  return {{"status", code},
          {"label", t.text("certificates.status." + code)},
          {"class", "mijncert-status mijncert-status--" + code}};
}

std::string daysLeftText(const Catalogue& t, const core::IssuedCertificate& certificate,
                         core::TimePoint now) {
  const auto status = core::statusAt(certificate.not_after, certificate.revoked_at, now);
  const auto days = daysLeft(certificate, now);
  if (!days) return t.text("certificates.days_left." + std::string(core::toString(status)));
  return t.format(*days == 1 ? "certificates.days_left.one" : "certificates.days_left.many",
                  {{"days", std::to_string(*days)}});
}

boost::json::value personJson(const std::optional<core::PersonId>& id, const std::string& name) {
  if (!id) return nullptr;
  return boost::json::object{{"id", *id}, {"name", name}};
}

}  // namespace web
