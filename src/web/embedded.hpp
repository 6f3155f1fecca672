#pragma once
// Resources compiled into the binary by cmake/embed.cmake (templates, message catalogues).

#include <map>
#include <string_view>

namespace web {

/// Embedded files keyed by their path below src/web, e.g. "templates/layout.mustache".
const std::map<std::string_view, std::string_view>& embeddedFiles();

}  // namespace web
