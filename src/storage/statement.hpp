#pragma once
// Internal to storage: how values are stored in columns, and a SOCI statement whose into/use
// elements are added one by one, so that a row type can bind its columns in one place for both
// reading (into) and writing (use).

#include "core/clock.hpp"
#include "core/time_format.hpp"

#include <soci/soci.h>

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// Column types beyond SOCI 4.0's numbers and strings, so that a repository binds a field of a
// domain value as it is: no value-and-indicator pairs or `long long` copies beside each field.
// Every file that binds such a field includes this header (without it, the bind does not
// compile, so no file can bind them differently).
namespace soci {

/// std::optional ⇄ a nullable column: nullopt is NULL (SOCI 4.0 knows only boost::optional).
template <class T>
struct type_conversion<std::optional<T>> {
  using base_type = typename type_conversion<T>::base_type;
  static void from_base(const base_type& in, indicator ind, std::optional<T>& out) {
    if (ind == i_null) {
      out.reset();
      return;
    }
    T value{};
    type_conversion<T>::from_base(in, ind, value);
    out = std::move(value);
  }
  static void to_base(const std::optional<T>& in, base_type& out, indicator& ind) {
    if (in)
      type_conversion<T>::to_base(*in, out, ind);
    else
      ind = i_null;
  }
};

/// core::TimePoint ⇄ an integer column of seconds since the Unix epoch.
template <>
struct type_conversion<core::TimePoint> {
  using base_type = long long;
  static void from_base(base_type in, indicator ind, core::TimePoint& out) {
    if (ind == i_null) throw soci_error("Null value not allowed for this type");
    out = core::fromUnixSeconds(in);
  }
  static void to_base(const core::TimePoint& in, base_type& out, indicator& ind) {
    out = core::toUnixSeconds(in);
    ind = i_ok;
  }
};

/// bool ⇄ an integer column holding 0 or 1 (the schema's flags).
template <>
struct type_conversion<bool> {
  using base_type = int;
  static void from_base(base_type in, indicator ind, bool& out) {
    if (ind == i_null) throw soci_error("Null value not allowed for this type");
    out = in != 0;
  }
  static void to_base(bool in, base_type& out, indicator& ind) {
    out = in ? 1 : 0;
    ind = i_ok;
  }
};

}  // namespace soci

namespace storage {

/// Keeps the statements run on `session` prepared for the next time they run (SQLite parses a
/// statement for longer than it takes to run the overview's page query). For pooled SQLite
/// sessions; whoever leases the session uses them, so no two threads touch them at once.
void keepPreparedStatements(soci::session& session);
/// Finalizes the statements kept for `session` and keeps no more: before it reconnects or closes
/// (SQLite refuses to close a connection with statements left).
void forgetPreparedStatements(soci::session& session);

struct KeptStatement;

/// One SQL statement with positional parameters (":name" placeholders in bind order). On a
/// session that keeps prepared statements, the same query text reuses the statement prepared
/// the first time; otherwise it is prepared for this one run.
class Statement {
 public:
  /// A statement on `sql`; nothing runs until execute().
  explicit Statement(soci::session& sql) : session_(sql) {}
  /// Hands a kept statement back reset (its read ends) and without bindings.
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  /// Binds the next result column to `target` (a std::optional for a nullable column).
  template <class T>
  Statement& into(T& target) {
    bindings_.push_back({&target, &bindInto<T>});
    return *this;
  }
  /// Binds the next parameter; `value` must outlive execute() (SOCI keeps a pointer).
  template <class T>
  Statement& use(const T& value) {
    bindings_.push_back({&value, &bindUse<T>});
    return *this;
  }
  /// Temporaries would dangle before execute().
  template <class T>
  Statement& use(const T&& value) = delete;

  /// Binds the columns of `row` as the next result columns. A row type lists its columns once:
  /// `row.exchange(x)` calls x(field) for each column in select-list order.
  template <class Row>
  Statement& intoColumns(Row& row) {
    row.exchange([this](auto& column) { into(column); });
    return *this;
  }
  /// Binds the columns of `row` (see intoColumns) as the next parameters.
  template <class Row>
  Statement& useColumns(Row& row) {
    row.exchange([this](auto& column) { use(column); });
    return *this;
  }

  /// Prepares (or reuses) and runs `query`; true if a first row was fetched into the bound
  /// targets. Once per Statement.
  bool execute(const std::string& query);
  /// Fetches the next row; false after the last one.
  bool next() { return statement_->fetch(); }
  /// Rows changed by an INSERT, UPDATE or DELETE.
  long long affectedRows() { return statement_->get_affected_rows(); }

 private:
  /// An into or use element, applied to whichever statement runs the query.
  struct Binding {
    const void* target;
    void (*bind)(soci::statement&, const void*);
  };
  template <class T>
  static void bindInto(soci::statement& statement, const void* target) {
    statement.exchange(soci::into(*static_cast<T*>(const_cast<void*>(target))));
  }
  template <class T>
  static void bindUse(soci::statement& statement, const void* value) {
    statement.exchange(soci::use(*static_cast<const T*>(value)));
  }

  soci::session& session_;
  std::vector<Binding> bindings_;
  std::optional<soci::statement> own_;  ///< prepared for this run only
  KeptStatement* kept_ = nullptr;       ///< or borrowed from the session's kept statements
  soci::statement* statement_ = nullptr;
};

/// Runs `query` (with `bind` adding into/use elements) and calls `on_row` after each fetched row.
template <class Bind, class OnRow>
void forEachRow(soci::session& sql, const std::string& query, Bind&& bind, OnRow&& on_row) {
  Statement statement(sql);
  bind(statement);
  for (bool more = statement.execute(query); more; more = statement.next()) on_row();
}

/// Runs one INSERT, UPDATE or DELETE with `bind` adding the parameters; returns the rows changed.
template <class Bind>
int changeRows(soci::session& sql, const std::string& query, Bind&& bind) {
  Statement statement(sql);
  bind(statement);
  statement.execute(query);
  return int(statement.affectedRows());
}

/// The first row of `query` read into a Row (see Statement::intoColumns), with `parameters`
/// bound in order; nullopt if there is no row.
template <class Row, class... Parameters>
std::optional<Row> selectRow(soci::session& sql, const std::string& query,
                             const Parameters&... parameters) {
  Row row;
  Statement select(sql);
  select.intoColumns(row);
  (select.use(parameters), ...);
  if (!select.execute(query)) return std::nullopt;
  return row;
}

namespace detail {

/// A row of one column, so that a single value is read as a row is.
template <class T>
struct OneColumn {
  T value{};
  template <class Exchange>
  void exchange(Exchange&& x) {
    x(value);
  }
};

}  // namespace detail

/// The one column of the first row of `query`, with `parameters` bound in order; nullopt if
/// there is no row. T is a std::optional for a column that may be NULL.
template <class T, class... Parameters>
std::optional<T> selectValue(soci::session& sql, const std::string& query,
                             const Parameters&... parameters) {
  auto row = selectRow<detail::OneColumn<T>>(sql, query, parameters...);
  if (!row) return std::nullopt;
  return std::move(row->value);
}

/// The one column of every row of `query`, with `parameters` bound in order.
template <class T, class... Parameters>
std::vector<T> selectColumn(soci::session& sql, const std::string& query,
                            const Parameters&... parameters) {
  std::vector<T> values;
  T value{};
  forEachRow(
      sql, query,
      [&](Statement& select) {
        select.into(value);
        (select.use(parameters), ...);
      },
      [&] { values.push_back(value); });
  return values;
}

/// True if "SELECT COUNT(*) …" `query`, with `parameters` bound in order, counts any row.
template <class... Parameters>
bool exists(soci::session& sql, const std::string& query, const Parameters&... parameters) {
  return selectValue<long long>(sql, query, parameters...).value_or(0) > 0;
}

/// The names an enum's values are stored under (a TEXT column with a CHECK of the names).
template <class Enum, std::size_t N>
using StoredNames = std::array<std::pair<Enum, std::string_view>, N>;

/// The name `value` is stored under; `fallback` for a value without one.
template <class Enum, std::size_t N>
std::string_view nameOf(const StoredNames<Enum, N>& names, Enum value, std::string_view fallback) {
  for (const auto& [known, name] : names)
    if (known == value) return name;
  return fallback;
}

/// The value stored under `name`; `fallback` for an unknown name.
template <class Enum, std::size_t N>
Enum valueNamed(const StoredNames<Enum, N>& names, std::string_view name, Enum fallback) {
  for (const auto& [value, known] : names)
    if (known == name) return value;
  return fallback;
}

/// ":p1, :p2, …" for `count` parameters (INSERT value lists that follow a column list).
std::string placeholders(int count);

/// "INSERT INTO table (columns) VALUES (:p1, …)" with one parameter for each column.
std::string insertInto(std::string_view table, std::string_view columns);

/// The names in a column list such as "a, b, c".
std::vector<std::string_view> columnNames(std::string_view columns);

/// Number of comma-separated names in a column list such as "a, b, c".
int columnCount(std::string_view columns);

/// "a = :p1, b = :p2, …" for a column list (the SET clause of an UPDATE).
std::string assignments(std::string_view columns);

}  // namespace storage
