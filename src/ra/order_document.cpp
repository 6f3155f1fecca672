#include "ra/order_document.hpp"

#include "core/time_format.hpp"

namespace ra {

namespace {

/// Identifies the layout; a changed layout gets a new name, so old signatures stay readable.
constexpr std::string_view kFormat = "mijncert-bestelling-1";

/// Appends "label: value" lines.
class DocumentWriter {
 public:
  /// Adds one line; an empty value leaves just "label:".
  void field(std::string_view label, std::string_view value) {
    text_ += label;
    text_ += ':';
    std::string line_value = sanitised(value);
    while (!line_value.empty() && (line_value.back() == ' ' || line_value.back() == '\t'))
      line_value.pop_back();
    if (!line_value.empty()) text_ += ' ' + line_value;
    text_ += '\n';
  }
  /// The document so far.
  const std::string& text() const { return text_; }

 private:
  /// `value` with every C0 control character and DEL replaced by U+FFFD: a value can never end
  /// its line and start a forged one.
  static std::string sanitised(std::string_view value) {
    std::string result;
    for (const char c : value) {
      const auto byte = static_cast<unsigned char>(c);
      if (byte < 0x20 || byte == 0x7f)
        result += "\xEF\xBF\xBD";
      else
        result += c;
    }
    return result;
  }

  std::string text_;
};

std::string optionalId(const std::optional<std::int64_t>& id) {
  return id ? std::to_string(*id) : std::string();
}

/// "Name <e-mail>, phone".
std::string contactLine(std::string_view name, std::string_view email, std::string_view phone) {
  return std::string(name) + " <" + std::string(email) + ">, " + std::string(phone);
}

}  // namespace

std::string orderDocument(const core::Order& order, const OrderParties& parties,
                          std::string_view origin) {
  DocumentWriter document;
  document.field("Document", kFormat);
  document.field("Bestelnummer", std::to_string(order.id));
  document.field("Soort", core::toString(order.type));
  document.field("Organisatie", parties.organisation.name);
  document.field("KvK-nummer", parties.organisation.kvk);
  document.field("Product", order.product);
  if (order.card) {
    const core::CardOrderDetails& card = *order.card;
    document.field("Soort pas", core::toString(card.card_type));
    document.field("Vervangt of gebaseerd op pas", optionalId(card.based_on));
    document.field("Houder", optionalId(card.holder));
    document.field("Voornamen", card.given_name);
    document.field("Achternaam", card.surname);
    document.field("Groeps- of functienaam", card.group_name);
    document.field("Titel of beroep", card.title);
    document.field("Registratienummer", card.registration_number);
    document.field("E-mail", card.email);
    document.field("Telefoon", card.phone);
  } else {
    document.field("Vervangt certificaat", optionalId(order.renewal_of));
    document.field("Common name", order.common_name);
    document.field("Aantal SAN's", std::to_string(order.dns_names.size()));
    for (std::size_t i = 0; i < order.dns_names.size(); ++i)
      document.field("SAN " + std::to_string(i + 1), order.dns_names[i]);
    document.field("Sleutel", order.key_description);
    document.field("Sleutel SHA-256 (SPKI)", order.spki_sha256);
  }
  document.field("Geldig vanaf", core::toIso8601(order.not_before));
  document.field("Geldig tot", core::toIso8601(order.not_after));
  if (parties.manager) {
    const core::Person& manager = *parties.manager;
    document.field("Certificaatbeheerder",
                   contactLine(manager.displayName(), manager.email, manager.phone));
  } else if (order.proposed_manager) {
    const core::ProposedManager& manager = *order.proposed_manager;
    document.field("Certificaatbeheerder (nieuw)",
                   contactLine(manager.name, manager.email, manager.phone));
  }
  document.field("Aangevraagd door", parties.requested_by.displayName());
  document.field("Identiteit aanvrager, uitgever", order.requester_identity.issuer_dn);
  document.field("Identiteit aanvrager, serienummer", order.requester_identity.subject_serial);
  document.field("Portaal", origin);
  document.field("Nonce", order.nonce);
  return document.text();
}

}  // namespace ra
