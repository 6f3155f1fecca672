#include "storage/statement.hpp"

namespace storage {

std::string placeholders(int count) {
  std::string text;
  for (int i = 1; i <= count; ++i) {
    if (i > 1) text += ", ";
    text += ":p" + std::to_string(i);
  }
  return text;
}

std::string insertInto(std::string_view table, std::string_view columns) {
  return "INSERT INTO " + std::string(table) + " (" + std::string(columns) + ") VALUES (" +
         placeholders(columnCount(columns)) + ")";
}

std::vector<std::string_view> columnNames(std::string_view columns) {
  std::vector<std::string_view> names;
  while (!columns.empty()) {
    const auto comma = columns.find(',');
    names.push_back(columns.substr(0, comma));
    const auto next = columns.find_first_not_of(' ', comma + 1);
    if (comma == std::string_view::npos || next == std::string_view::npos) break;
    columns.remove_prefix(next);
  }
  return names;
}

int columnCount(std::string_view columns) {
  return int(columnNames(columns).size());
}

std::string assignments(std::string_view columns) {
  std::string text;
  int parameter = 0;
  for (const auto name : columnNames(columns)) {
    if (parameter > 0) text += ", ";
    text += std::string(name) + " = :p" + std::to_string(++parameter);
  }
  return text;
}

}  // namespace storage
