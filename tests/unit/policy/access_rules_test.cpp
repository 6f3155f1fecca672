#include "policy/access_rules.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace {

using policy::Action;
using policy::Subject;

constexpr core::OrganisationId kOwn = 1;
constexpr core::OrganisationId kOther = 2;

// The demo roles of PRODUCT.md §9, by the identities a test needs.
core::Principal person(core::PersonId id) {
  core::Principal p;
  p.person.id = id;
  p.person.portal_access = true;
  return p;
}

core::Principal member(core::PersonId id, core::Role role) {
  auto p = person(id);
  p.memberships = {{kOwn, "Voorbeeld B.V.", true, role}};
  return p;
}

core::Principal officer(core::PersonId id) {
  auto p = person(id);
  p.person.servicedesk = true;
  return p;
}

core::Principal notary(core::PersonId id) {
  auto p = person(id);
  p.person.professional = true;
  return p;
}

const std::map<std::string, core::Principal>& roles() {
  static const std::map<std::string, core::Principal> kRoles{
      {"representative", member(1, core::Role::representative)},
      {"contact", member(2, core::Role::contact)},
      {"manager", member(3, core::Role::manager)},
      {"other",
       [] {
         auto p = person(4);
         p.memberships = {{kOther, "Andere Organisatie B.V.", true, core::Role::contact}};
         return p;
       }()},
      {"professional", notary(5)},
      {"servicedesk", officer(6)},
      {"second_officer", officer(7)},
  };
  return kRoles;
}

/// "allowed", "not_found" or "forbidden: <message>" for one decision.
std::string outcome(const std::string& role, Action action, const Subject& subject = {}) {
  auto decided = policy::permit(roles().at(role), action, subject);
  if (decided) return "allowed";
  if (decided.error().kind == core::ErrorKind::not_found) return "not_found";
  return "forbidden: " + decided.error().message;
}

TEST(AccessRules, OneRulePerActionInTheOrderOfAction) {
  const auto rules = policy::accessRules();
  ASSERT_EQ(rules.size(), std::size_t(Action::approve_order) + 1);
  for (std::size_t i = 0; i < rules.size(); ++i) {
    EXPECT_EQ(std::size_t(rules[i].action), i);
    EXPECT_FALSE(rules[i].name.empty());
    EXPECT_FALSE(rules[i].who.empty());
  }
}

TEST(AccessRules, ViewOrganisation) {
  const Subject own{.organisation = kOwn};
  EXPECT_EQ(outcome("representative", Action::view_organisation, own), "allowed");
  EXPECT_EQ(outcome("contact", Action::view_organisation, own), "allowed");
  EXPECT_EQ(outcome("servicedesk", Action::view_organisation, own), "allowed");
  // Another organisation's id reveals nothing; a manager has no portal access.
  EXPECT_EQ(outcome("manager", Action::view_organisation, own), "not_found");
  EXPECT_EQ(outcome("other", Action::view_organisation, own), "not_found");
  EXPECT_EQ(outcome("professional", Action::view_organisation, own), "not_found");
}

TEST(AccessRules, OrderForOrganisation) {
  const Subject own{.organisation = kOwn};
  EXPECT_EQ(outcome("representative", Action::order_for_organisation, own), "allowed");
  EXPECT_EQ(outcome("contact", Action::order_for_organisation, own), "allowed");
  EXPECT_EQ(outcome("servicedesk", Action::order_for_organisation, own),
            "forbidden: error.forbidden");
  EXPECT_EQ(outcome("other", Action::order_for_organisation, own), "not_found");
  EXPECT_EQ(outcome("manager", Action::order_for_organisation, own), "not_found");
}

TEST(AccessRules, OwnCertificatesAndOwnCards) {
  EXPECT_EQ(outcome("professional", Action::view_own_certificates), "allowed");
  EXPECT_EQ(outcome("contact", Action::view_own_certificates), "forbidden: error.forbidden");
  EXPECT_EQ(outcome("professional", Action::order_own_card, {.owner = 5}), "allowed");
  EXPECT_EQ(outcome("contact", Action::order_own_card, {.owner = 5}), "not_found");
  EXPECT_EQ(outcome("servicedesk", Action::order_own_card, {.owner = 5}),
            "forbidden: error.forbidden");
}

TEST(AccessRules, ViewOrder) {
  const Subject organisation_order{.organisation = kOwn, .owner = 2};
  const Subject own_order{.owner = 5};
  EXPECT_EQ(outcome("representative", Action::view_order, organisation_order), "allowed");
  EXPECT_EQ(outcome("servicedesk", Action::view_order, organisation_order), "allowed");
  EXPECT_EQ(outcome("other", Action::view_order, organisation_order), "not_found");
  EXPECT_EQ(outcome("professional", Action::view_order, own_order), "allowed");
  EXPECT_EQ(outcome("servicedesk", Action::view_order, own_order), "allowed");
  EXPECT_EQ(outcome("contact", Action::view_order, own_order), "not_found");
}

TEST(AccessRules, OnlyTheRequesterSigns) {
  const Subject order{.organisation = kOwn, .owner = 2};
  EXPECT_EQ(outcome("contact", Action::sign_order, order), "allowed");
  EXPECT_EQ(outcome("representative", Action::sign_order, order), "forbidden: order.not_requester");
  EXPECT_EQ(outcome("servicedesk", Action::sign_order, order), "forbidden: order.not_requester");
  EXPECT_EQ(outcome("other", Action::sign_order, order), "not_found");
  // A professional holder signs their own order, which belongs to no organisation.
  EXPECT_EQ(outcome("professional", Action::sign_order, {.owner = 5}), "allowed");
}

TEST(AccessRules, ARequesterWhoNoLongerActsForTheOrganisationSignsNothing) {
  // The requester of an organisation's order lost their role there (or their access, or the
  // organisation left the portal): signing is refused like for any outsider, on every path.
  const Subject order{.organisation = kOwn, .owner = 2};
  auto former = member(2, core::Role::contact);
  former.memberships.clear();
  EXPECT_EQ(policy::permit(former, Action::sign_order, order).error().kind,
            core::ErrorKind::not_found);
  auto manager_now = member(2, core::Role::manager);
  EXPECT_FALSE(policy::permits(manager_now, Action::sign_order, order));
  auto withdrawn = member(2, core::Role::contact);
  withdrawn.person.portal_access = false;
  EXPECT_FALSE(policy::permits(withdrawn, Action::sign_order, order));
  auto disabled = member(2, core::Role::contact);
  disabled.memberships.front().organisation_portal_enabled = false;
  EXPECT_FALSE(policy::permits(disabled, Action::sign_order, order));
}

TEST(AccessRules, CancelOrder) {
  const Subject organisation_order{.organisation = kOwn, .owner = 2};
  EXPECT_EQ(outcome("contact", Action::cancel_order, organisation_order), "allowed");
  EXPECT_EQ(outcome("representative", Action::cancel_order, organisation_order), "allowed");
  EXPECT_EQ(outcome("servicedesk", Action::cancel_order, organisation_order),
            "forbidden: error.forbidden");
  EXPECT_EQ(outcome("other", Action::cancel_order, organisation_order), "not_found");
  // A professional holder cancels their own order (the HTML and JSON adapters agree).
  EXPECT_EQ(outcome("professional", Action::cancel_order, {.owner = 5}), "allowed");
  EXPECT_EQ(outcome("contact", Action::cancel_order, {.owner = 5}), "not_found");
}

TEST(AccessRules, ActivationCodeIsTheHoldersAlone) {
  EXPECT_EQ(outcome("professional", Action::make_activation_code, {.owner = 5}), "allowed");
  EXPECT_EQ(outcome("servicedesk", Action::make_activation_code, {.owner = 5}),
            "forbidden: order.not_requester");
  EXPECT_EQ(outcome("contact", Action::make_activation_code, {.owner = 5}), "not_found");
}

TEST(AccessRules, ServicedeskAreaAndFourEyes) {
  EXPECT_EQ(outcome("servicedesk", Action::work_in_servicedesk), "allowed");
  for (const auto* role : {"representative", "contact", "manager", "other", "professional"})
    EXPECT_EQ(outcome(role, Action::work_in_servicedesk), "forbidden: error.forbidden") << role;
  // PRODUCT.md §7: a requester never approves their own order.
  const Subject officers_own{.organisation = kOwn, .owner = 6};
  EXPECT_EQ(outcome("servicedesk", Action::approve_order, officers_own),
            "forbidden: order.own_approval");
  EXPECT_EQ(outcome("second_officer", Action::approve_order, officers_own), "allowed");
}

TEST(AccessRules, WithdrawnAccessRemovesOrganisationRights) {
  auto withdrawn = member(1, core::Role::contact);
  withdrawn.person.portal_access = false;
  EXPECT_FALSE(policy::permits(withdrawn, Action::view_organisation, {.organisation = kOwn}));
  EXPECT_FALSE(policy::permits(withdrawn, Action::order_for_organisation, {.organisation = kOwn}));
}

}  // namespace
