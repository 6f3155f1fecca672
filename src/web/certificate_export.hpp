#pragma once
// The server certificate overview as a download (PRODUCT.md §5 "Inzage"): the cells of a row,
// CSV encoding (RFC 4180, safe to open in a spreadsheet), .xlsx files written with constant
// memory, and the file name. Pure functions, apart from the .xlsx file itself.

#include "core/certificate.hpp"
#include "web/i18n.hpp"

#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct lxw_workbook;
struct lxw_worksheet;

namespace web {

/// The cells of one exported row, in column order.
using ExportRow = std::vector<std::string>;

/// The UTF-8 byte order mark: Excel reads a CSV file as UTF-8 only when it starts with it.
inline constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

/// The column titles in the user's language.
ExportRow exportHeader(const Catalogue& t);

/// The rows of an export, one certificate after another, with the status judged at one moment.
/// A row is written over the one before and the status texts are looked up once: an export
/// formats 100,000 rows.
class ExportRows {
 public:
  ExportRows(const Catalogue& t, core::TimePoint now);

  /// A certificate's cells in exportHeader() order: id, common name, SANs (space-separated),
  /// serial, not before, not after (RFC 3339), status (text), days left, manager, ordered by.
  /// Valid until the next call.
  const ExportRow& of(const core::IssuedCertificate& certificate);

 private:
  core::TimePoint now_;
  std::array<std::string, 4> status_texts_;  ///< by core::CertificateStatus
  ExportRow row_;
};

/// Whole days until `not_after` for a certificate still in use (rounded up); nullopt once it
/// has expired or was revoked.
std::optional<long long> daysLeft(const core::IssuedCertificate& certificate, core::TimePoint now);
/// Hex as certificate viewers show it: upper case, a colon between bytes ("0A:1B:…").
std::string colonHex(std::string_view hex);

/// Appends one CSV field: quoted when it holds the separator, a quote or a line break (quotes
/// doubled), and prefixed with ' when a spreadsheet would read it as a formula (= + - @ tab CR).
void appendCsvField(std::string& out, std::string_view value, char separator);
/// Appends one CSV record with its CRLF line end.
void appendCsvRecord(std::string& out, const ExportRow& row, char separator);

/// Content-Disposition of a download named "<prefix>-<organisation>-<YYYY-MM-DD>.<extension>":
/// an ASCII filename for old clients and the UTF-8 name in filename* (RFC 6266).
std::string attachmentDisposition(std::string_view prefix, std::string_view organisation,
                                  core::TimePoint date, std::string_view extension);

/// A directory only this account can enter (mode 0700, created by mkdtemp under the system's
/// temporary directory), removed with everything in it when destroyed: an export's files are
/// never readable by another account on the machine.
class PrivateDirectory {
 public:
  /// Creates "<temp>/<prefix>XXXXXX"; throws std::system_error if it cannot.
  explicit PrivateDirectory(std::string_view prefix);
  ~PrivateDirectory();
  PrivateDirectory(const PrivateDirectory&) = delete;
  PrivateDirectory& operator=(const PrivateDirectory&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

/// An .xlsx file under construction: rows go to temporary files in `temp_dir` as they are added
/// (libxlsxwriter's constant_memory mode), so memory does not grow with the number of rows.
class XlsxFile {
 public:
  /// Starts `path` with one worksheet; throws std::runtime_error if it cannot be created.
  XlsxFile(const std::filesystem::path& path, const std::filesystem::path& temp_dir,
           std::string_view sheet_name);
  ~XlsxFile();
  XlsxFile(const XlsxFile&) = delete;
  XlsxFile& operator=(const XlsxFile&) = delete;

  /// Appends a row; cells that are whole numbers in `numeric_columns` become numbers.
  void add(const ExportRow& row, const std::vector<std::size_t>& numeric_columns = {});
  /// Writes the file; throws std::runtime_error on failure. Nothing can be added afterwards.
  void close();

 private:
  lxw_workbook* workbook_ = nullptr;
  lxw_worksheet* sheet_ = nullptr;
  std::string temp_dir_;  // libxlsxwriter keeps the pointer until close
  unsigned row_ = 0;
};

/// Columns of exportRow() that hold whole numbers (id, days left).
inline const std::vector<std::size_t> kNumericExportColumns{0, 7};

}  // namespace web
