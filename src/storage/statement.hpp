#pragma once
// Internal to storage: a SOCI statement whose into/use elements are added one by one, so that a
// row type can bind its columns in one place for both reading (into) and writing (use).

#include <soci/soci.h>

#include <string>
#include <string_view>
#include <vector>

namespace storage {

/// One SQL statement with positional parameters (":name" placeholders in bind order).
class Statement {
 public:
  /// A statement on `sql`; nothing runs until execute().
  explicit Statement(soci::session& sql) : statement_(sql) {}

  /// Binds the next result column to `target`.
  template <class T>
  Statement& into(T& target) {
    statement_.exchange(soci::into(target));
    return *this;
  }
  /// Binds the next result column to `target`, with `indicator` telling whether it was NULL.
  template <class T>
  Statement& into(T& target, soci::indicator& indicator) {
    statement_.exchange(soci::into(target, indicator));
    return *this;
  }
  /// Binds the next parameter; `value` must outlive execute() (SOCI keeps a pointer).
  template <class T>
  Statement& use(const T& value) {
    statement_.exchange(soci::use(value));
    return *this;
  }
  /// Binds the next parameter, NULL when `indicator` is soci::i_null.
  template <class T>
  Statement& use(const T& value, soci::indicator& indicator) {
    statement_.exchange(soci::use(value, indicator));
    return *this;
  }
  /// Temporaries would dangle before execute().
  template <class T>
  Statement& use(const T&& value) = delete;

  /// Prepares and runs `query`; true if a first row was fetched into the bound targets.
  bool execute(const std::string& query) {
    statement_.alloc();
    // One-time: PostgreSQL then runs it in one round trip instead of PREPARE, EXECUTE and
    // DEALLOCATE of a named statement.
    statement_.prepare(query, soci::details::st_one_time_query);
    statement_.define_and_bind();
    return statement_.execute(true);
  }
  /// Fetches the next row; false after the last one.
  bool next() { return statement_.fetch(); }
  /// Rows changed by an INSERT, UPDATE or DELETE.
  long long affectedRows() { return statement_.get_affected_rows(); }

 private:
  soci::statement statement_;
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

/// ":p1, :p2, …" for `count` parameters (INSERT value lists that follow a column list).
std::string placeholders(int count);

/// The names in a column list such as "a, b, c".
std::vector<std::string_view> columnNames(std::string_view columns);

/// Number of comma-separated names in a column list such as "a, b, c".
int columnCount(std::string_view columns);

/// "a = :p1, b = :p2, …" for a column list (the SET clause of an UPDATE).
std::string assignments(std::string_view columns);

}  // namespace storage
