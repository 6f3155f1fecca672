#include "core/registry.hpp"

#include <gtest/gtest.h>

namespace {

core::Principal personWith(std::vector<core::Membership> memberships, bool access = true) {
  core::Principal principal;
  principal.person.id = 1;
  principal.person.given_name = "Sanne";
  principal.person.surname = "Jansen";
  principal.person.portal_access = access;
  principal.memberships = std::move(memberships);
  return principal;
}

TEST(Registry, RolesHaveStableApiNames) {
  for (auto role : {core::Role::representative, core::Role::contact, core::Role::manager})
    EXPECT_EQ(core::parseRole(core::toString(role)), role);
  EXPECT_FALSE(core::parseRole("admin"));
}

TEST(Registry, ContactWithAccessActsForOwnRegisteredOrganisationOnly) {
  const auto p = personWith({{7, "Voorbeeld B.V.", true, core::Role::contact}});
  EXPECT_TRUE(p.mayActFor(7));
  EXPECT_FALSE(p.mayActFor(8));
  EXPECT_TRUE(p.hasPortalAccess());
}

TEST(Registry, ManagerOnlyHasNoPortalAccess) {
  const auto p = personWith({{7, "Voorbeeld B.V.", true, core::Role::manager}});
  EXPECT_FALSE(p.mayActFor(7));
  EXPECT_FALSE(p.hasPortalAccess());
}

TEST(Registry, AccessWithdrawnOrOrganisationNotRegisteredMeansNoPortal) {
  EXPECT_FALSE(personWith({{7, "V", true, core::Role::contact}}, false).hasPortalAccess());
  EXPECT_FALSE(personWith({{7, "V", false, core::Role::representative}}).mayActFor(7));
}

TEST(Registry, PortalOrganisationsAreUniqueAndSortedByName) {
  const auto p = personWith({{2, "Zeta", true, core::Role::contact},
                             {1, "Alfa", true, core::Role::representative},
                             {1, "Alfa", true, core::Role::contact},
                             {3, "Beta", true, core::Role::manager}});
  const auto organisations = p.portalOrganisations();
  ASSERT_EQ(organisations.size(), 2u);
  EXPECT_EQ(organisations[0].organisation_name, "Alfa");
  EXPECT_EQ(organisations[1].organisation_name, "Zeta");
}

TEST(Registry, ServicedeskAndProfessionalsNeedNoOrganisation) {
  auto officer = personWith({});
  officer.person.servicedesk = true;
  EXPECT_TRUE(officer.hasPortalAccess());
  auto notary = personWith({});
  notary.person.professional = true;
  EXPECT_TRUE(notary.hasPortalAccess());
  EXPECT_FALSE(personWith({}).hasPortalAccess());
}

TEST(Registry, DisplayName) {
  core::Person p;
  p.surname = "Jansen";
  EXPECT_EQ(p.displayName(), "Jansen");
  p.given_name = "Sanne";
  EXPECT_EQ(p.displayName(), "Sanne Jansen");
}

}  // namespace
