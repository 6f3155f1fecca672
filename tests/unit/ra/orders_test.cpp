// The access rules of PRODUCT.md §1–§3 (policy::accessRules) at the entry points that apply
// them: one test per rule, each running the real use case on SQLite for every demo role
// (PRODUCT.md §9), and checking that a refusal changes nothing.

#include "ra/orders.hpp"

#include "../pki/csr_test_support.hpp"
#include "ordering_test_support.hpp"
#include "policy/access_rules.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace {

using namespace ra_test;

/// "allowed", "not_found", "forbidden <message>" or "<kind> <message>" of an outcome.
template <class T>
std::string outcome(const core::Result<T>& result) {
  if (result) return "allowed";
  const auto& error = result.error();
  if (error.kind == ErrorKind::not_found) return "not_found";
  return std::string(core::toString(error.kind)) + " " + error.message;
}

class OrderAccessTest : public OrderingTest {
 protected:
  void SetUp() override {
    OrderingTest::SetUp();
    ASSERT_TRUE(registry_->addValidatedDomain(organisation_, "voorbeeld.nl", servicedesk_));
    andere_ = registry_
                  ->createOrganisation(organisation("Andere Organisatie B.V.", "87654321", ""),
                                       servicedesk_)
                  .value();
    roles_ = {
        {"representative", member(organisation_, "Willem", "van Dijk", core::Role::representative)},
        {"contact", contact_},
        {"manager", principalOf(manager_)},
        {"other", member(andere_, "Fatima", "El Amrani", core::Role::contact)},
        {"professional", notary()},
        {"servicedesk", officer("Johan", "Smit")},
    };
  }

  core::Principal principalOf(core::PersonId id) {
    return registry_->findPrincipal(id).value().value();
  }

  core::Principal officer(std::string given_name, std::string surname) {
    core::Person p = person(std::move(given_name), std::move(surname));
    p.servicedesk = true;
    return registered(p);
  }

  const core::Principal& as(const std::string& role) { return roles_.at(role); }

  /// A server certificate order form of Voorbeeld B.V. with a fresh key.
  ra::ServerOrderForm serverForm() {
    ra::ServerOrderForm form;
    form.organisation = organisation_;
    form.csr = pki::test::makeCsr(pki::test::generateKey("EC", "P-256").get(), "www.voorbeeld.nl");
    form.manager = manager_;
    return form;
  }

  /// A draft server order by `requester`.
  core::Order serverDraft(const core::Principal& requester) {
    auto order = server_orders_->create(requester, serverForm());
    EXPECT_TRUE(order) << describe(order.error());
    return order.value();
  }

  /// A server order by `requester`, signed (submitted).
  core::Order serverSubmitted(const core::Principal& requester) {
    const core::Order order = serverDraft(requester);
    const core::OrderEvidence evidence{service_->documentOf(order).value(), "DER", "PEM"};
    return service_->submit(requester, order, evidence).value();
  }

  core::OrganisationId andere_ = 0;
  std::map<std::string, core::Principal> roles_;
};

/// The roles of PRODUCT.md §9 and what the rule says for each.
using Expected = std::map<std::string, std::string>;

TEST_F(OrderAccessTest, EveryActionHasOneRuleAndEachIsTestedHere) {
  // One test below per rule; a new rule without a test here fails this count.
  EXPECT_EQ(policy::accessRules().size(), 10u);
}

TEST_F(OrderAccessTest, ViewOrganisation) {
  const Expected expected{{"representative", "allowed"}, {"contact", "allowed"},
                          {"manager", "not_found"},      {"other", "not_found"},
                          {"professional", "not_found"}, {"servicedesk", "allowed"}};
  for (const auto& [role, want] : expected) {
    EXPECT_EQ(outcome(queries_->organisation(as(role), organisation_)), want) << role;
    EXPECT_EQ(outcome(queries_->certificates(as(role), {.organisation = organisation_})), want)
        << role;
    EXPECT_EQ(outcome(entry_->ofOrganisation(as(role), organisation_)), want) << role;
  }
}

TEST_F(OrderAccessTest, OrderForOrganisation) {
  const Expected expected{
      {"representative", "allowed"}, {"contact", "allowed"},
      {"manager", "not_found"},      {"other", "not_found"},
      {"professional", "not_found"}, {"servicedesk", "forbidden error.forbidden"}};
  for (const auto& [role, want] : expected) {
    const auto before = rows("orders");
    EXPECT_EQ(outcome(server_orders_->create(as(role), serverForm())), want) << role;
    EXPECT_EQ(outcome(orders_->create(as(role), personalForm())), want) << role;
    EXPECT_EQ(rows("orders"), before + (want == "allowed" ? 2 : 0)) << role;
  }
}

TEST_F(OrderAccessTest, ViewOwnCertificates) {
  for (const auto& [role, principal] : roles_)
    EXPECT_EQ(outcome(queries_->ownCards(principal)),
              role == "professional" ? "allowed" : "forbidden error.forbidden")
        << role;
}

TEST_F(OrderAccessTest, OrderOwnCard) {
  const core::Principal& holder = as("professional");
  const auto card = ownCard(holder, clock_.now() + kCardTerm);
  const Expected expected{
      {"representative", "not_found"}, {"contact", "not_found"},
      {"manager", "not_found"},        {"other", "not_found"},
      {"professional", "allowed"},     {"servicedesk", "forbidden error.forbidden"}};
  for (const auto& [role, want] : expected)
    EXPECT_EQ(outcome(orders_->orderable(as(role), card)), want) << role;
}

TEST_F(OrderAccessTest, ViewOrder) {
  const core::Order organisation_order = serverDraft(contact_);
  const core::Order own_order = submitted(
      as("professional"),
      renewalForm(as("professional"), ownCard(as("professional"), clock_.now() + kCardTerm),
                  OrderType::mobile_add));
  const Expected organisation{{"representative", "allowed"}, {"contact", "allowed"},
                              {"manager", "not_found"},      {"other", "not_found"},
                              {"professional", "not_found"}, {"servicedesk", "allowed"}};
  const Expected own{{"representative", "not_found"}, {"contact", "not_found"},
                     {"manager", "not_found"},        {"other", "not_found"},
                     {"professional", "allowed"},     {"servicedesk", "allowed"}};
  for (const auto& [role, want] : organisation)
    EXPECT_EQ(outcome(entry_->view(as(role), organisation_order.id)), want) << role;
  for (const auto& [role, want] : own)
    EXPECT_EQ(outcome(entry_->view(as(role), own_order.id)), want) << role;
  // An unknown order reads like one that is not yours.
  EXPECT_EQ(outcome(entry_->view(contact_, organisation_order.id + 1000)), "not_found");
}

TEST_F(OrderAccessTest, SignOrderOnlyTheRequester) {
  const core::Order order = serverDraft(contact_);
  const Expected expected{
      {"representative", "forbidden order.not_requester"},
      {"contact", "invalid signature.unreadable"},  // reaches the signature check
      {"manager", "not_found"},
      {"other", "not_found"},
      {"professional", "not_found"},
      {"servicedesk", "forbidden order.not_requester"}};
  for (const auto& [role, want] : expected)
    EXPECT_EQ(outcome(entry_->sign(as(role), order.id, "no signature")), want) << role;
  EXPECT_EQ(current(order.id).status, OrderStatus::draft);
  EXPECT_EQ(current(order.id).version, order.version);
}

TEST_F(OrderAccessTest, CancelOrder) {
  const Expected expected{
      {"representative", "allowed"}, {"contact", "allowed"},
      {"manager", "not_found"},      {"other", "not_found"},
      {"professional", "not_found"}, {"servicedesk", "forbidden error.forbidden"}};
  for (const auto& [role, want] : expected) {
    const core::Order order = serverDraft(contact_);
    EXPECT_EQ(outcome(entry_->cancel(as(role), order.id)), want) << role;
    EXPECT_EQ(current(order.id).status,
              want == "allowed" ? OrderStatus::cancelled : OrderStatus::draft)
        << role;
  }
  // A professional holder cancels their own order; nobody else but the Servicedesk sees it.
  const core::Principal& holder = as("professional");
  const auto card = ownCard(holder, clock_.now() + kCardTerm);
  const core::Order own = created(holder, renewalForm(holder, card, OrderType::mobile_add));
  EXPECT_EQ(outcome(entry_->cancel(contact_, own.id)), "not_found");
  EXPECT_EQ(outcome(entry_->cancel(as("servicedesk"), own.id)), "forbidden error.forbidden");
  EXPECT_EQ(outcome(entry_->cancel(holder, own.id)), "allowed");
  EXPECT_EQ(current(own.id).status, OrderStatus::cancelled);
}

TEST_F(OrderAccessTest, MakeActivationCodeOnlyTheHolder) {
  const core::Principal& holder = as("professional");
  const core::Order order = approvedMobileOrder(holder);
  const Expected expected{{"representative", "not_found"},
                          {"contact", "not_found"},
                          {"manager", "not_found"},
                          {"other", "not_found"},
                          {"servicedesk", "forbidden order.not_requester"}};
  for (const auto& [role, want] : expected)
    EXPECT_EQ(outcome(entry_->newActivationCode(as(role), order.id)), want) << role;
  EXPECT_FALSE(activation_codes_->find(order.id).value());
  EXPECT_EQ(outcome(entry_->newActivationCode(holder, order.id)), "allowed");
}

TEST_F(OrderAccessTest, WorkInServicedesk) {
  const core::Order order = serverSubmitted(contact_);
  for (const auto& [role, principal] : roles_) {
    const std::string want = role == "servicedesk" ? "allowed" : "forbidden error.forbidden";
    EXPECT_EQ(outcome(entry_->queue(principal, {})), want) << role;
    EXPECT_EQ(outcome(registry_service_->searchOrganisations(principal, "")), want) << role;
    if (role != "servicedesk") {
      EXPECT_EQ(outcome(entry_->reject(principal, order.id, "Nee")), want) << role;
      EXPECT_EQ(outcome(entry_->approve(principal, order.id)), want) << role;
    }
  }
  EXPECT_EQ(current(order.id).status, OrderStatus::submitted);
}

TEST_F(OrderAccessTest, ApproveOrderNeverByItsRequester) {
  // An officer who is also a contact of the organisation orders for it; a colleague approves.
  core::Principal ordering_officer = officer("Olga", "Dubbel");
  ASSERT_TRUE(registry_->addRole(ordering_officer.person.id, organisation_, core::Role::contact,
                                 servicedesk_));
  ordering_officer = principalOf(ordering_officer.person.id);
  ASSERT_TRUE(ordering_officer.person.servicedesk);
  const core::Order order = serverSubmitted(ordering_officer);
  EXPECT_EQ(outcome(entry_->approve(ordering_officer, order.id)), "forbidden order.own_approval");
  EXPECT_EQ(current(order.id).status, OrderStatus::submitted);
  EXPECT_EQ(current(order.id).version, order.version);
  EXPECT_EQ(certificateCount(), 0);
  auto approved = entry_->approve(as("servicedesk"), order.id);
  ASSERT_TRUE(approved) << describe(approved.error());
  EXPECT_EQ(approved->status, OrderStatus::issued);
}

TEST_F(OrderAccessTest, ApprovalDecidesForEveryOrderType) {
  const core::Order card = submitted(contact_, personalForm());
  auto produced = entry_->approve(as("servicedesk"), card.id);
  ASSERT_TRUE(produced) << describe(produced.error());
  EXPECT_EQ(produced->status, OrderStatus::in_production);
  EXPECT_EQ(outcome(entry_->ship(as("servicedesk"), card.id)), "allowed");
  EXPECT_EQ(outcome(entry_->activate(as("servicedesk"), card.id)), "allowed");
  EXPECT_EQ(current(card.id).status, OrderStatus::issued);
}

}  // namespace
