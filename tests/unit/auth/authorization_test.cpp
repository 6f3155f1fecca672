#include "auth/authorization.hpp"

#include <gtest/gtest.h>

namespace {

using auth::Action;
constexpr core::OrganisationId kOwn = 1;
constexpr core::OrganisationId kOther = 2;

core::Principal contact() {
  core::Principal p;
  p.person.portal_access = true;
  p.memberships = {{kOwn, "Voorbeeld B.V.", true, core::Role::contact}};
  return p;
}

core::Principal officer() {
  core::Principal p;
  p.person.portal_access = true;
  p.person.servicedesk = true;
  return p;
}

core::Principal notary() {
  core::Principal p;
  p.person.portal_access = true;
  p.person.professional = true;
  return p;
}

core::ErrorKind refusal(const core::Result<void>& r) {
  return r.error().kind;
}

TEST(Authorization, ContactSeesAndActsForOwnOrganisation) {
  EXPECT_TRUE(auth::authorize(contact(), Action::view_organisation, kOwn));
  EXPECT_TRUE(auth::authorize(contact(), Action::act_for_organisation, kOwn));
}

TEST(Authorization, AnotherOrganisationLooksNonExistent) {
  EXPECT_EQ(refusal(auth::authorize(contact(), Action::view_organisation, kOther)),
            core::ErrorKind::not_found);
  EXPECT_EQ(refusal(auth::authorize(contact(), Action::act_for_organisation, kOther)),
            core::ErrorKind::not_found);
  EXPECT_EQ(refusal(auth::authorize(contact(), Action::view_organisation)),
            core::ErrorKind::not_found);
}

TEST(Authorization, ServicedeskSeesAllButNeverActsForCustomers) {
  EXPECT_TRUE(auth::authorize(officer(), Action::view_organisation, kOther));
  EXPECT_TRUE(auth::authorize(officer(), Action::use_servicedesk));
  EXPECT_EQ(refusal(auth::authorize(officer(), Action::act_for_organisation, kOwn)),
            core::ErrorKind::forbidden);
}

TEST(Authorization, CustomersAndProfessionalsStayOutOfTheBackOffice) {
  EXPECT_EQ(refusal(auth::authorize(contact(), Action::use_servicedesk)),
            core::ErrorKind::forbidden);
  EXPECT_EQ(refusal(auth::authorize(notary(), Action::use_servicedesk)),
            core::ErrorKind::forbidden);
}

TEST(Authorization, OnlyProfessionalsManageOwnProfessionalCertificates) {
  EXPECT_TRUE(auth::authorize(notary(), Action::manage_own_certificates));
  EXPECT_EQ(refusal(auth::authorize(contact(), Action::manage_own_certificates)),
            core::ErrorKind::forbidden);
  EXPECT_EQ(refusal(auth::authorize(notary(), Action::view_organisation, kOwn)),
            core::ErrorKind::not_found);
}

TEST(Authorization, WithdrawnAccessRemovesOrganisationRights) {
  auto p = contact();
  p.person.portal_access = false;
  EXPECT_FALSE(auth::authorize(p, Action::view_organisation, kOwn));
}

}  // namespace
