// Servicedesk: finding, registering and changing organisations, enabling MijnCertificaten for
// them, and keeping their validated domains (PRODUCT.md §7).

#include "web/servicedesk.hpp"

#include <boost/json.hpp>

#include <utility>

namespace web::servicedesk {

namespace bhttp = boost::beast::http;

namespace {

const std::string kBase = "/servicedesk/organisaties";

std::string organisationPath(core::OrganisationId id) {
  return kBase + "/" + std::to_string(id);
}

std::vector<FieldSpec> addressFields(const std::string& prefix) {
  const std::string key = "servicedesk.organisation." + prefix;
  return {
      {prefix + "_street", key + "_street", "", "text", "", true},
      {prefix + "_postal_code", key + "_postal_code", "servicedesk.organisation.postal_code_hint",
       "text", "", true},
      {prefix + "_city", key + "_city", "", "text", "", true},
      {prefix + "_country", key + "_country", "servicedesk.organisation.country_hint", "text", "",
       true},
  };
}

/// The organisation form, in page order; names are those of policy::checkOrganisation.
const std::vector<Fieldset>& organisationFieldsets() {
  static const std::vector<Fieldset> fieldsets = [] {
    std::vector<FieldSpec> billing = addressFields("billing");
    billing.insert(
        billing.end(),
        {{"billing_attention_of", "servicedesk.organisation.billing_attention_of"},
         {"billing_email", "servicedesk.organisation.billing_email", "", "email", "", true},
         {"billing_purchase_order_reference",
          "servicedesk.organisation.billing_purchase_order_reference"},
         {"billing_vat_number", "servicedesk.organisation.billing_vat_number",
          "servicedesk.organisation.billing_vat_number_hint"}});
    return std::vector<Fieldset>{
        {"servicedesk.organisation.legend_organisation",
         {{"name", "servicedesk.organisation.name", "", "text", "", true},
          {"kvk", "servicedesk.organisation.kvk", "servicedesk.organisation.kvk_hint", "text", "",
           true},
          {"oin", "servicedesk.organisation.oin", "servicedesk.organisation.oin_hint"}}},
        {"servicedesk.organisation.legend_visiting", addressFields("visiting")},
        {"servicedesk.organisation.legend_postal", addressFields("postal")},
        {"servicedesk.organisation.legend_billing", std::move(billing)},
    };
  }();
  return fieldsets;
}

/// Every text of an organisation by its form field name.
std::vector<std::pair<std::string, std::string*>> organisationTexts(core::Organisation& o) {
  std::vector<std::pair<std::string, std::string*>> texts{
      {"name", &o.name},
      {"kvk", &o.kvk},
      {"oin", &o.oin},
      {"billing_attention_of", &o.billing.attention_of},
      {"billing_email", &o.billing.email},
      {"billing_purchase_order_reference", &o.billing.purchase_order_reference},
      {"billing_vat_number", &o.billing.vat_number}};
  for (auto [prefix, address] :
       {std::pair{"visiting", &o.visiting_address}, std::pair{"postal", &o.postal_address},
        std::pair{"billing", &o.billing.address}}) {
    const std::string name(prefix);
    texts.insert(texts.end(), {{name + "_street", &address->street},
                               {name + "_postal_code", &address->postal_code},
                               {name + "_city", &address->city},
                               {name + "_country", &address->country}});
  }
  return texts;
}

Fields organisationValues(core::Organisation organisation) {
  Fields values;
  for (const auto& [name, text] : organisationTexts(organisation)) values.emplace(name, *text);
  return values;
}

core::Organisation organisationFromForm(const RequestContext& context) {
  core::Organisation organisation;
  for (const auto& [name, text] : organisationTexts(organisation)) *text = formValue(context, name);
  return organisation;
}

/// The registration or change form with `values` and `errors`.
http::Response organisationForm(RequestContext& context, bhttp::status status,
                                const std::string& action, const std::string& heading,
                                const std::string& cancel, const Fields& values,
                                const std::vector<core::FieldError>& errors) {
  const auto& t = context.texts();
  FormView form(t, "organisatie", errors);
  auto model = pageModel(context);
  model["heading"] = heading;
  model["action"] = action;
  model["fieldsets"] = fieldsetModels(form, organisationFieldsets(), values);
  model["summary"] = form.summary();
  model["cancel"] = cancel;
  return page(context, status, "servicedesk_form", form.pageTitle(heading), std::move(model));
}

http::Response search(RequestContext& context, ra::RegistryService& registry) {
  const auto& t = context.texts();
  auto found = registry.searchOrganisations(*context.principal, searchText(context));
  if (!found) return failure(context, found.error(), false);
  boost::json::array rows;
  for (const auto& organisation : *found)
    rows.push_back(
        {{"name", organisation.name},
         {"href", organisationPath(organisation.id)},
         {"cells", {organisation.kvk, organisation.oin, yesNo(t, organisation.portal_enabled)}}});
  return searchPage(context, {"servicedesk.organisations.title",
                              kBase,
                              "servicedesk.organisations.search_label",
                              "servicedesk.organisations.search_description",
                              kBase + "/nieuw",
                              "servicedesk.organisations.new",
                              {"servicedesk.organisation.kvk", "servicedesk.organisation.oin",
                               "servicedesk.organisations.portal_column"},
                              std::move(rows)});
}

http::Response newForm(RequestContext& context, ra::RegistryService&) {
  const auto& t = context.texts();
  return organisationForm(context, bhttp::status::ok, kBase + "/nieuw",
                          t.text("servicedesk.organisation.new_title"), kBase,
                          organisationValues({}), {});
}

http::Response create(RequestContext& context, ra::RegistryService& registry) {
  auto id = registry.registerOrganisation(*context.principal, organisationFromForm(context));
  if (id) return redirectWithNotice(context, organisationPath(*id), "geregistreerd");
  return formFailure(context, id.error(), [&](const auto& errors, bhttp::status status) {
    return organisationForm(context, status, kBase + "/nieuw",
                            context.texts().text("servicedesk.organisation.new_title"), kBase,
                            *context.form, errors);
  });
}

/// The organisation page; `domain_form` holds a rejected domain and its problems.
http::Response organisationPage(RequestContext& context, ra::RegistryService& registry,
                                bhttp::status status, const std::string& domain_value = "",
                                const std::vector<core::FieldError>& domain_errors = {},
                                const std::string& method_value = "") {
  const auto& t = context.texts();
  const auto id = idParameter(context);
  auto file = registry.organisation(*context.principal, id);
  if (!file) return failure(context, file.error(), false);
  const auto& o = file->organisation;
  const auto path = organisationPath(id);

  const auto address = [](const core::Address& a) {
    boost::json::array lines{boost::json::object{{"text", a.street}, {"break", false}}};
    for (const auto* line : {&a.postal_code, &a.city, &a.country})
      if (!line->empty()) lines.push_back({{"text", *line}, {"break", true}});
    return lines;
  };
  const auto fact = [&](const char* key, const std::string& value) {
    return boost::json::object{
        {"label", t.text(std::string("servicedesk.facts.") + key)},
        {"lines", boost::json::array{{{"text", value.empty() ? t.text("servicedesk.none") : value},
                                      {"break", false}}}}};
  };
  boost::json::array facts{fact("kvk", o.kvk), fact("oin", o.oin)};
  facts.push_back({{"label", t.text("servicedesk.organisation.legend_visiting")},
                   {"lines", address(o.visiting_address)}});
  facts.push_back({{"label", t.text("servicedesk.organisation.legend_postal")},
                   {"lines", address(o.postal_address)}});
  boost::json::array billing{
      boost::json::object{{"label", t.text("servicedesk.facts.billing_address")},
                          {"lines", address(o.billing.address)}},
      fact("billing_attention_of", o.billing.attention_of), fact("billing_email", o.billing.email),
      fact("billing_purchase_order_reference", o.billing.purchase_order_reference),
      fact("billing_vat_number", o.billing.vat_number)};

  boost::json::array members;
  for (const auto& member : file->members)
    members.push_back({{"name", member.person.displayName()},
                       {"href", "/servicedesk/personen/" + std::to_string(member.person.id)},
                       {"role", roleName(t, member.role)},
                       {"status", t.text(member.active ? "servicedesk.members.active"
                                                       : "servicedesk.members.proposed")},
                       {"access", yesNo(t, member.person.portal_access)}});

  FormView domain_form(t, "domein", domain_errors);
  boost::json::array domains;
  for (const auto& domain : file->domains)
    domains.push_back(
        {{"name", domain},
         {"remove_label", t.format("servicedesk.domains.remove", {{"domain", domain}})}});

  const bool enabled = o.portal_enabled;
  auto model = pageModel(context);
  model["heading"] = o.name;
  model["facts"] = std::move(facts);
  model["billing"] = std::move(billing);
  model["edit"] = path + "/bewerken";
  model["portal"] = {
      {"action", path + "/portaal"},
      {"status", t.text(enabled ? "servicedesk.portal.enabled" : "servicedesk.portal.disabled")},
      {"value", enabled ? "0" : "1"},
      {"button", t.text(enabled ? "servicedesk.portal.disable" : "servicedesk.portal.enable")}};
  model["members"] = std::move(members);
  model["has_members"] = !file->members.empty();
  model["add_person"] = "/servicedesk/personen/nieuw?organisatie=" + std::to_string(id);
  model["domains"] = std::move(domains);
  model["has_domains"] = !file->domains.empty();
  model["domain_action"] = path + "/domeinen";
  model["domain_remove_action"] = path + "/domeinen/verwijderen";
  model["domain_field"] = domain_form.field(
      {"domain", "servicedesk.domains.domain", "servicedesk.domains.domain_hint", "text", "", true},
      domain_value);
  model["method_field"] = domain_form.select(
      {"method", "servicedesk.domains.method", "servicedesk.domains.method_hint", "text", "", true},
      method_value.empty() ? std::string(policy::kDomainValidationMethods[0]) : method_value,
      validationMethodOptions());
  model["summary"] = domain_form.summary();
  model["audit"] = "/servicedesk/audit?organisatie=" + std::to_string(id);
  model["orders"] = "/servicedesk/bestellingen?status=&organisatie=" + std::to_string(id);
  return page(context, status, "servicedesk_organisation", domain_form.pageTitle(o.name),
              std::move(model));
}

http::Response show(RequestContext& context, ra::RegistryService& registry) {
  return organisationPage(context, registry, bhttp::status::ok);
}

http::Response editForm(RequestContext& context, ra::RegistryService& registry) {
  const auto id = idParameter(context);
  auto file = registry.organisation(*context.principal, id);
  if (!file) return failure(context, file.error(), false);
  const auto& t = context.texts();
  return organisationForm(
      context, bhttp::status::ok, organisationPath(id) + "/bewerken",
      t.format("servicedesk.organisation.edit_title", {{"name", file->organisation.name}}),
      organisationPath(id), organisationValues(file->organisation), {});
}

http::Response update(RequestContext& context, ra::RegistryService& registry) {
  const auto id = idParameter(context);
  auto organisation = organisationFromForm(context);
  organisation.id = id;
  auto updated = registry.updateOrganisation(*context.principal, organisation);
  if (updated) return redirectWithNotice(context, organisationPath(id), "opgeslagen");
  return formFailure(context, updated.error(), [&](const auto& errors, bhttp::status status) {
    // The heading keeps the stored name: the entered one may be what is wrong.
    auto file = registry.organisation(*context.principal, id);
    if (!file) return failure(context, file.error(), false);
    return organisationForm(context, status, organisationPath(id) + "/bewerken",
                            context.texts().format("servicedesk.organisation.edit_title",
                                                   {{"name", file->organisation.name}}),
                            organisationPath(id), *context.form, errors);
  });
}

http::Response setPortal(RequestContext& context, ra::RegistryService& registry) {
  const auto id = idParameter(context);
  const auto value = formValue(context, "enabled");
  if (value != "0" && value != "1")
    return failure(context, core::makeError(core::ErrorKind::invalid, "error.bad_request"), false);
  const bool enabled = value == "1";
  if (auto changed = registry.setPortalEnabled(*context.principal, id, enabled); !changed)
    return failure(context, changed.error(), false);
  return redirectWithNotice(context, organisationPath(id), enabled ? "portaal-aan" : "portaal-uit");
}

http::Response addDomain(RequestContext& context, ra::RegistryService& registry) {
  const auto id = idParameter(context);
  const auto domain = formValue(context, "domain");
  const auto method = formValue(context, "method");
  auto added = registry.addDomain(*context.principal, id, domain, method);
  if (added) return redirectWithNotice(context, organisationPath(id), "domein-toegevoegd");
  return formFailure(context, added.error(), [&](const auto& errors, bhttp::status status) {
    return organisationPage(context, registry, status, domain, errors, method);
  });
}

http::Response removeDomain(RequestContext& context, ra::RegistryService& registry) {
  const auto id = idParameter(context);
  if (auto removed = registry.removeDomain(*context.principal, id, formValue(context, "domain"));
      !removed)
    return failure(context, removed.error(), false);
  return redirectWithNotice(context, organisationPath(id), "domein-verwijderd");
}

}  // namespace

void addOrganisationRoutes(Router& router, PortalServices& services) {
  const auto get = bhttp::verb::get;
  const auto post = bhttp::verb::post;
  addPage(router, services, get, kBase, search);
  addPage(router, services, get, kBase + "/nieuw", newForm);
  addPage(router, services, post, kBase + "/nieuw", create);
  addPage(router, services, get, kBase + "/{id}", show);
  addPage(router, services, get, kBase + "/{id}/bewerken", editForm);
  addPage(router, services, post, kBase + "/{id}/bewerken", update);
  addPage(router, services, post, kBase + "/{id}/portaal", setPortal);
  addPage(router, services, post, kBase + "/{id}/domeinen", addDomain);
  addPage(router, services, post, kBase + "/{id}/domeinen/verwijderen", removeDomain);
}

}  // namespace web::servicedesk
