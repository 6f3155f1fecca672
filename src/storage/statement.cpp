#include "storage/statement.hpp"

#include <algorithm>

namespace storage {

std::string placeholders(int count) {
  std::string text;
  for (int i = 1; i <= count; ++i) {
    if (i > 1) text += ", ";
    text += ":p" + std::to_string(i);
  }
  return text;
}

int columnCount(std::string_view columns) {
  return columns.empty() ? 0 : 1 + int(std::count(columns.begin(), columns.end(), ','));
}

}  // namespace storage
