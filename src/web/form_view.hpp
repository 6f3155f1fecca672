#pragma once
// View models of forms with the GOV.UK / NL Design System error pattern: an error summary at the
// top that links to every invalid field, and per field its label, hint, error message (next to
// the field), the value the user entered and the aria attributes that tie them together.
// Templates place them with the partials form_error_summary and form_control (form_field for
// inputs and textareas, form_select for selects).

#include "core/error.hpp"
#include "web/i18n.hpp"

#include <boost/json/object.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace web {

/// How one input of a form is shown.
struct FieldSpec {
  std::string name;                  ///< form field name; also core::FieldError::field
  std::string label_key;             ///< message key of the label
  std::string description_key = {};  ///< message key of a hint under the label; "" for none
  std::string type = "text";         ///< input type ("text", "email", "tel", "file"), or "textarea"
  std::string autocomplete = {};     ///< autocomplete token; "" for none
  bool required = false;             ///< announced as required (checked on the server only)
  std::string accept = {};           ///< file inputs: accepted types, e.g. ".pem,.crt,.cer,.der"
};

/// One choice of a select: value and the message key of its label.
using SelectOption = std::pair<std::string, std::string>;

/// Builds the view models of one form. Add the fields in page order: the error summary lists the
/// problems in that order.
class FormView {
 public:
  /// A form whose element ids are `id_prefix` + "-" + field name, showing `errors` (the fields
  /// of a core::Error; each message is a message key that may use {label}).
  FormView(const Catalogue& texts, std::string id_prefix,
           std::vector<core::FieldError> errors = {});

  /// The model of a text input or textarea with its current value: id, name, label, value,
  /// type, textarea, select (false), autocomplete, required, description(_id), error(_id), invalid,
  /// describedby.
  boost::json::object field(const FieldSpec& spec, std::string_view value);
  /// The model of a select: as field(), with select true and options [{value, label, selected}].
  boost::json::object select(const FieldSpec& spec, std::string_view value,
                             const std::vector<SelectOption>& options);
  /// The error summary: {has_errors, id, title, errors: [{href, text}]}; errors of fields that
  /// were not added come last, without a link.
  boost::json::object summary() const;
  /// The texts the form is shown in.
  const Catalogue& texts() const { return texts_; }
  /// True if the form shows errors.
  bool hasErrors() const { return !errors_.empty(); }
  /// The page title, marked as having errors when it does (announced first by screen readers).
  std::string pageTitle(std::string title) const;

 private:
  const Catalogue& texts_;
  std::string id_prefix_;
  std::vector<core::FieldError> errors_;
  std::vector<std::pair<std::string, std::string>> shown_;  ///< field name, label, in page order
};

}  // namespace web
