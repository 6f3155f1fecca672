#include "web/form_view.hpp"

#include <boost/json.hpp>

#include <algorithm>

namespace web {

namespace {

// Field names use "_" (form and JSON names); element ids use "-" as the rest of the pages do.
std::string elementId(std::string_view prefix, std::string_view name) {
  std::string id = std::string(prefix) + "-" + std::string(name);
  std::replace(id.begin(), id.end(), '_', '-');
  return id;
}

}  // namespace

FormView::FormView(const Catalogue& texts, std::string id_prefix,
                   std::vector<core::FieldError> errors)
    : texts_(texts), id_prefix_(std::move(id_prefix)), errors_(std::move(errors)) {}

boost::json::object FormView::field(const FieldSpec& spec, std::string_view value) {
  const auto id = elementId(id_prefix_, spec.name);
  const auto label = texts_.text(spec.label_key);
  shown_.emplace_back(spec.name, label);

  const auto error = std::find_if(errors_.begin(), errors_.end(),
                                  [&](const core::FieldError& e) { return e.field == spec.name; });
  const bool invalid = error != errors_.end();
  const std::string message = invalid ? texts_.format(error->message, {{"label", label}}) : "";
  const std::string description =
      spec.description_key.empty() ? "" : texts_.text(spec.description_key);

  // The error first: it is what the user needs to hear when the field gets focus.
  std::string describedby;
  if (invalid) describedby = id + "-error";
  if (!description.empty()) describedby += (describedby.empty() ? "" : " ") + id + "-description";

  return {{"id", id},
          {"name", spec.name},
          {"label", label},
          {"value", value},
          {"type", spec.type},
          {"textarea", spec.type == "textarea"},
          {"file", spec.type == "file"},
          {"accept", spec.accept},
          {"select", false},
          {"autocomplete", spec.autocomplete},
          {"required", spec.required},
          {"description", description},
          {"description_id", id + "-description"},
          {"error", message},
          {"error_id", id + "-error"},
          {"invalid", invalid},
          {"describedby", describedby}};
}

boost::json::object FormView::select(const FieldSpec& spec, std::string_view value,
                                     const std::vector<SelectOption>& options) {
  auto model = field(spec, value);
  boost::json::array choices;
  for (const auto& [option, label_key] : options)
    choices.push_back(
        {{"value", option}, {"label", texts_.text(label_key)}, {"selected", option == value}});
  model["select"] = true;
  model["options"] = std::move(choices);
  return model;
}

boost::json::object FormView::summary() const {
  boost::json::array items;
  const auto add = [&](const core::FieldError& error, std::string_view label, bool linked) {
    items.push_back({{"href", linked ? "#" + elementId(id_prefix_, error.field) : ""},
                     {"text", texts_.format(error.message, {{"label", std::string(label)}})}});
  };
  for (const auto& [name, label] : shown_)
    for (const auto& error : errors_)
      if (error.field == name) add(error, label, true);
  for (const auto& error : errors_) {
    const bool shown = std::any_of(shown_.begin(), shown_.end(),
                                   [&](const auto& field) { return field.first == error.field; });
    if (!shown) add(error, error.field, false);
  }
  return {{"has_errors", hasErrors()},
          {"id", id_prefix_ + "-errors"},
          {"title", texts_.text("form.error_summary")},
          {"errors", std::move(items)}};
}

std::string FormView::pageTitle(std::string title) const {
  if (!hasErrors()) return title;
  return texts_.format("form.error_title", {{"title", std::move(title)}});
}

}  // namespace web
