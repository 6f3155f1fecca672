// Servicedesk: finding, registering and changing persons, their roles in organisations, the
// certificate identities they log in with, and their portal access (PRODUCT.md §7).

#include "web/servicedesk.hpp"

#include <boost/json.hpp>

namespace web::servicedesk {

namespace bhttp = boost::beast::http;

namespace {

const std::string kBase = "/servicedesk/personen";

std::string personPath(core::PersonId id) {
  return kBase + "/" + std::to_string(id);
}

const FieldSpec kRoleField{"role", "servicedesk.roles.role", "", "text", "", true};

}  // namespace

const std::vector<Fieldset>& personFieldsets() {
  static const std::vector<Fieldset> fieldsets{
      {"servicedesk.person.legend",
       {{"given_name", "servicedesk.person.given_name", "", "text", "", true},
        {"surname", "servicedesk.person.surname", "servicedesk.person.surname_hint", "text", "",
         true},
        {"email", "servicedesk.person.email", "", "email", "", true},
        {"phone", "servicedesk.person.phone", "servicedesk.person.phone_hint", "tel"}}}};
  return fieldsets;
}

core::Person personFromForm(const RequestContext& context) {
  core::Person person;
  person.given_name = formValue(context, "given_name");
  person.surname = formValue(context, "surname");
  person.email = formValue(context, "email");
  person.phone = formValue(context, "phone");
  return person;
}

namespace {

Fields personValues(const core::Person& person) {
  return {{"given_name", person.given_name},
          {"surname", person.surname},
          {"email", person.email},
          {"phone", person.phone}};
}

/// What the person form shows besides the person's own data.
struct PersonFormPage {
  std::string heading;
  std::string action;
  std::string cancel;
  std::optional<core::Organisation> organisation;  ///< registering with a first role here
};

http::Response personForm(RequestContext& context, bhttp::status status,
                          const PersonFormPage& form_page, const Fields& values,
                          const std::vector<core::FieldError>& errors) {
  const auto& t = context.texts();
  FormView form(t, "persoon", errors);
  auto fieldsets = fieldsetModels(form, personFieldsets(), values);
  auto model = pageModel(context);
  if (form_page.organisation) {
    const auto role = values.find("role");
    fieldsets.push_back({{"legend", t.format("servicedesk.person.role_legend",
                                             {{"organisation", form_page.organisation->name}})},
                         {"fields", boost::json::array{form.select(
                                        kRoleField, role == values.end() ? "contact" : role->second,
                                        roleOptions())}}});
    model["hidden"] = boost::json::array{
        {{"name", "organisation_id"}, {"value", std::to_string(form_page.organisation->id)}}};
  }
  model["heading"] = form_page.heading;
  model["action"] = form_page.action;
  model["fieldsets"] = std::move(fieldsets);
  model["summary"] = form.summary();
  model["cancel"] = form_page.cancel;
  return page(context, status, "servicedesk_form", form.pageTitle(form_page.heading),
              std::move(model));
}

http::Response search(RequestContext& context, ra::RegistryService& registry) {
  const auto& t = context.texts();
  auto found = registry.searchPersons(*context.principal, searchText(context));
  if (!found) return failure(context, found.error(), false);
  boost::json::array rows;
  for (const auto& person : *found)
    rows.push_back({{"name", person.displayName()},
                    {"href", personPath(person.id)},
                    {"cells", {person.email, yesNo(t, person.portal_access)}}});
  return searchPage(context, {"servicedesk.persons.title",
                              kBase,
                              "servicedesk.persons.search_label",
                              "servicedesk.persons.search_description",
                              kBase + "/nieuw",
                              "servicedesk.persons.new",
                              {"servicedesk.person.email", "servicedesk.person.portal_access"},
                              std::move(rows)});
}

/// The new-person page, with a first role in the organisation `organisation_id` names (if any).
core::Result<PersonFormPage> newPersonPage(RequestContext& context, ra::RegistryService& registry,
                                           std::optional<core::OrganisationId> organisation_id) {
  PersonFormPage form_page{context.texts().text("servicedesk.person.new_title"), kBase + "/nieuw",
                           kBase, std::nullopt};
  if (!organisation_id) return form_page;
  auto file = registry.organisation(*context.principal, *organisation_id);
  if (!file) return file.error();
  form_page.organisation = std::move(file->organisation);
  form_page.cancel = "/servicedesk/organisaties/" + std::to_string(*organisation_id);
  return form_page;
}

const core::Error kNotFound = core::makeError(core::ErrorKind::not_found, "error.not_found");

http::Response newForm(RequestContext& context, ra::RegistryService& registry) {
  std::optional<core::OrganisationId> organisation;
  if (context.target.query.contains("organisatie")) {
    organisation = idQuery(context, "organisatie");
    if (!organisation) return failure(context, kNotFound, false);
  }
  auto form_page = newPersonPage(context, registry, organisation);
  if (!form_page) return failure(context, form_page.error(), false);
  return personForm(context, bhttp::status::ok, *form_page, {}, {});
}

http::Response create(RequestContext& context, ra::RegistryService& registry) {
  std::optional<ra::InitialRole> role;
  if (context.form->contains("organisation_id")) {
    const auto organisation = idField(context, "organisation_id");
    if (!organisation) return failure(context, kNotFound, false);
    role = ra::InitialRole{*organisation};
  }
  auto form_page =
      newPersonPage(context, registry, role ? std::optional(role->organisation) : std::nullopt);
  if (!form_page) return failure(context, form_page.error(), false);
  const auto show = [&](const std::vector<core::FieldError>& errors, bhttp::status status) {
    return personForm(context, status, *form_page, *context.form, errors);
  };
  if (role) {
    const auto parsed = core::parseRole(formValue(context, "role"));
    if (!parsed) return show({{"role", "validation.role"}}, bhttp::status::bad_request);
    role->role = *parsed;
  }
  auto id = registry.registerPerson(*context.principal, personFromForm(context), role);
  if (!id) return formFailure(context, id.error(), show);
  return redirectWithNotice(context, personPath(*id), "geregistreerd");
}

/// The forms of the person page; a POST that failed names its form and brings its problems.
struct PostedForm {
  std::string_view id;  ///< "rol", "certificaat" or "identiteit"; "" for a plain GET
  std::vector<core::FieldError> errors;
  std::string problem;  ///< a refusal without fields, as a message key
};

http::Response personPage(RequestContext& context, ra::RegistryService& registry,
                          bhttp::status status, const PostedForm& posted = {}) {
  const auto& t = context.texts();
  const auto id = idParameter(context);
  auto file = registry.person(*context.principal, id);
  if (!file) return failure(context, file.error(), false);
  const auto& person = file->person;
  const auto path = personPath(id);

  // Only the form that was sent shows the entered values and the problems.
  const auto errorsOf = [&](std::string_view form) {
    return posted.id == form ? posted.errors : std::vector<core::FieldError>{};
  };
  const auto valueOf = [&](std::string_view form, std::string_view name,
                           std::string_view initial = "") {
    return posted.id == form ? formValue(context, name) : std::string(initial);
  };
  FormView role_form(t, "rol", errorsOf("rol"));
  FormView certificate_form(t, "certificaat", errorsOf("certificaat"));
  FormView identity_form(t, "identiteit", errorsOf("identiteit"));

  boost::json::array facts;
  const auto fact = [&](const char* key, const std::string& value) {
    facts.push_back({{"label", t.text(std::string("servicedesk.facts.") + key)},
                     {"value", value.empty() ? t.text("servicedesk.none") : value}});
  };
  fact("email", person.email);
  fact("phone", person.phone);
  fact("portal_access", yesNo(t, person.portal_access));
  if (person.professional) fact("profession", person.profession);
  if (person.servicedesk) fact("servicedesk", yesNo(t, true));

  boost::json::array roles;
  for (const auto& membership : file->memberships) {
    const auto role = roleName(t, membership.role);
    roles.push_back(
        {{"organisation", membership.organisation_name},
         {"href", "/servicedesk/organisaties/" + std::to_string(membership.organisation_id)},
         {"organisation_id", std::to_string(membership.organisation_id)},
         {"role", role},
         {"role_value", core::toString(membership.role)},
         {"remove_label",
          t.format("servicedesk.roles.remove",
                   {{"role", role}, {"organisation", membership.organisation_name}})}});
  }
  boost::json::array identities;
  for (const auto& identity : file->identities)
    identities.push_back({{"issuer_dn", identity.issuer_dn},
                          {"subject_serial", identity.subject_serial},
                          {"remove_label", t.format("servicedesk.certificates.remove",
                                                    {{"serial", identity.subject_serial}})}});

  const bool access = person.portal_access;
  auto model = pageModel(context);
  model["heading"] = person.displayName();
  model["problem"] = posted.problem.empty() ? "" : t.text(posted.problem);
  model["facts"] = std::move(facts);
  model["edit"] = path + "/bewerken";
  model["access"] = {
      {"action", path + "/toegang"},
      {"status", t.text(access ? "servicedesk.access.granted" : "servicedesk.access.withdrawn")},
      {"value", access ? "0" : "1"},
      {"button", t.text(access ? "servicedesk.access.withdraw" : "servicedesk.access.grant")}};
  model["roles"] = std::move(roles);
  model["has_roles"] = !file->memberships.empty();
  model["role_action"] = path + "/rollen";
  model["role_remove_action"] = path + "/rollen/verwijderen";
  model["role_fields"] = boost::json::array{
      role_form.field({"organisation_kvk", "servicedesk.roles.organisation_kvk",
                       "servicedesk.roles.organisation_kvk_hint", "text", "", true},
                      valueOf("rol", "organisation_kvk")),
      role_form.select(kRoleField, valueOf("rol", "role", "contact"), roleOptions())};
  model["identities"] = std::move(identities);
  model["has_identities"] = !file->identities.empty();
  model["certificate_action"] = path + "/certificaten";
  model["certificate_remove_action"] = path + "/certificaten/verwijderen";
  model["certificate_file_field"] = certificate_form.field(
      {"certificate_file", "servicedesk.certificates.certificate_file",
       "servicedesk.certificates.certificate_file_hint", "file", "", false, ".pem,.crt,.cer,.der"},
      "");
  model["certificate_field"] =
      certificate_form.field({"certificate", "servicedesk.certificates.certificate",
                              "servicedesk.certificates.certificate_hint", "textarea", "", false},
                             valueOf("certificaat", "certificate"));
  model["identity_fields"] = boost::json::array{
      identity_form.field({"issuer_dn", "servicedesk.certificates.issuer_dn",
                           "servicedesk.certificates.issuer_dn_hint", "text", "", true},
                          valueOf("identiteit", "issuer_dn")),
      identity_form.field({"subject_serial", "servicedesk.certificates.subject_serial",
                           "servicedesk.certificates.subject_serial_hint", "text", "", true},
                          valueOf("identiteit", "subject_serial"))};
  const auto* posted_form = posted.id == "rol"           ? &role_form
                            : posted.id == "certificaat" ? &certificate_form
                                                         : &identity_form;
  model["summary"] = posted_form->summary();
  model["audit"] = "/servicedesk/audit?persoon=" + std::to_string(id);
  return page(context, status, "servicedesk_person", posted_form->pageTitle(person.displayName()),
              std::move(model));
}

http::Response show(RequestContext& context, ra::RegistryService& registry) {
  return personPage(context, registry, bhttp::status::ok);
}

/// Redirects back to the person page after a change, or shows `form`'s problems there.
http::Response afterChange(RequestContext& context, ra::RegistryService& registry,
                           const core::Result<void>& changed, std::string_view form,
                           std::string_view notice) {
  const auto id = idParameter(context);
  if (changed) return redirectWithNotice(context, personPath(id), notice);
  return formFailure(context, changed.error(), [&](const auto& errors, bhttp::status status) {
    return personPage(context, registry, status, {form, errors, ""});
  });
}

http::Response editForm(RequestContext& context, ra::RegistryService& registry) {
  const auto id = idParameter(context);
  auto file = registry.person(*context.principal, id);
  if (!file) return failure(context, file.error(), false);
  const auto name = file->person.displayName();
  return personForm(context, bhttp::status::ok,
                    {context.texts().format("servicedesk.person.edit_title", {{"name", name}}),
                     personPath(id) + "/bewerken", personPath(id), std::nullopt},
                    personValues(file->person), {});
}

http::Response update(RequestContext& context, ra::RegistryService& registry) {
  const auto id = idParameter(context);
  auto person = personFromForm(context);
  person.id = id;
  auto updated = registry.updatePerson(*context.principal, person);
  if (updated) return redirectWithNotice(context, personPath(id), "opgeslagen");
  return formFailure(context, updated.error(), [&](const auto& errors, bhttp::status status) {
    // The heading keeps the stored name: the entered one may be what is wrong.
    auto file = registry.person(*context.principal, id);
    if (!file) return failure(context, file.error(), false);
    const auto name = file->person.displayName();
    return personForm(context, status,
                      {context.texts().format("servicedesk.person.edit_title", {{"name", name}}),
                       personPath(id) + "/bewerken", personPath(id), std::nullopt},
                      *context.form, errors);
  });
}

http::Response addRole(RequestContext& context, ra::RegistryService& registry) {
  const auto role = core::parseRole(formValue(context, "role"));
  if (!role)
    return personPage(context, registry, bhttp::status::bad_request,
                      {"rol", {{"role", "validation.role"}}, ""});
  return afterChange(context, registry,
                     registry.addRole(*context.principal, idParameter(context),
                                      formValue(context, "organisation_kvk"), *role),
                     "rol", "rol-toegevoegd");
}

http::Response removeRole(RequestContext& context, ra::RegistryService& registry) {
  const auto organisation = idField(context, "organisation_id");
  const auto role = core::parseRole(formValue(context, "role"));
  if (!organisation || !role)
    return failure(context, core::makeError(core::ErrorKind::invalid, "error.bad_request"), false);
  return afterChange(
      context, registry,
      registry.removeRole(*context.principal, idParameter(context), *organisation, *role), "rol",
      "rol-verwijderd");
}

http::Response addCertificate(RequestContext& context, ra::RegistryService& registry) {
  const auto id = idParameter(context);
  // Two forms post here: an uploaded or pasted certificate, or its issuer and serialNumber.
  if (context.form->contains("certificate")) {
    auto registered = registry.registerCertificate(
        *context.principal, id, uploadOrText(context, "certificate_file", "certificate"));
    return afterChange(context, registry,
                       registered ? core::Result<void>{} : core::Result<void>{registered.error()},
                       "certificaat", "certificaat-toegevoegd");
  }
  return afterChange(context, registry,
                     registry.addCertificateIdentity(
                         *context.principal, id,
                         {formValue(context, "issuer_dn"), formValue(context, "subject_serial")}),
                     "identiteit", "certificaat-toegevoegd");
}

http::Response removeCertificate(RequestContext& context, ra::RegistryService& registry) {
  return afterChange(context, registry,
                     registry.removeCertificateIdentity(
                         *context.principal, idParameter(context),
                         {formValue(context, "issuer_dn"), formValue(context, "subject_serial")}),
                     "identiteit", "certificaat-verwijderd");
}

http::Response setAccess(RequestContext& context, ra::RegistryService& registry) {
  const auto id = idParameter(context);
  const auto value = formValue(context, "access");
  if (value != "0" && value != "1")
    return failure(context, core::makeError(core::ErrorKind::invalid, "error.bad_request"), false);
  if (value == "0") {
    if (auto withdrawn = registry.withdrawAccess(*context.principal, id); !withdrawn)
      return failure(context, withdrawn.error(), false);
    return redirectWithNotice(context, personPath(id), "toegang-ingetrokken");
  }
  auto granted = registry.grantAccess(*context.principal, id);
  if (granted) return redirectWithNotice(context, personPath(id), "toegang-verleend");
  if (granted.error().kind != core::ErrorKind::conflict)
    return failure(context, granted.error(), false);
  return personPage(context, registry, bhttp::status::conflict, {"", {}, granted.error().message});
}

}  // namespace

void addPersonRoutes(Router& router, PortalServices& services) {
  const auto get = bhttp::verb::get;
  const auto post = bhttp::verb::post;
  addPage(router, services, get, kBase, search);
  addPage(router, services, get, kBase + "/nieuw", newForm);
  addPage(router, services, post, kBase + "/nieuw", create);
  addPage(router, services, get, kBase + "/{id}", show);
  addPage(router, services, get, kBase + "/{id}/bewerken", editForm);
  addPage(router, services, post, kBase + "/{id}/bewerken", update);
  addPage(router, services, post, kBase + "/{id}/rollen", addRole);
  addPage(router, services, post, kBase + "/{id}/rollen/verwijderen", removeRole);
  addPage(router, services, post, kBase + "/{id}/certificaten", addCertificate);
  addPage(router, services, post, kBase + "/{id}/certificaten/verwijderen", removeCertificate);
  addPage(router, services, post, kBase + "/{id}/toegang", setAccess);
}

}  // namespace web::servicedesk
