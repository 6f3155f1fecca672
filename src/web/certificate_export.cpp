#include "web/certificate_export.hpp"

#include "core/time_format.hpp"

#include <xlsxwriter.h>

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <stdexcept>
#include <system_error>

#include <stdlib.h>

namespace web {

namespace {

/// An ASCII slug: letters and digits in lower case, dots and apostrophes dropped ("B.V." is
/// "bv"), everything else one hyphen.
std::string asciiSlug(std::string_view text) {
  std::string slug;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x80 && std::isalnum(u)) {
      slug += char(std::tolower(u));
    } else if (c != '.' && c != '\'' && !slug.empty() && slug.back() != '-') {
      slug += '-';
    }
  }
  while (!slug.empty() && slug.back() == '-') slug.pop_back();
  return slug;
}

/// The organisation name as asciiSlug() writes it, but keeping letters beyond ASCII (filename*).
std::string utf8Slug(std::string_view text) {
  std::string slug;
  for (const char c : text) {
    if (c == '.' || c == '\'' || c == '"' || c == '/' || c == '\\') continue;
    if (c == ' ') {
      if (!slug.empty() && slug.back() != '-') slug += '-';
    } else {
      slug += char(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  return slug;
}

void check(lxw_error error, const char* what) {
  if (error != LXW_NO_ERROR)
    throw std::runtime_error(std::string("xlsx: ") + what + ": " + lxw_strerror(error));
}

}  // namespace

ExportRow exportHeader(const Catalogue& t) {
  ExportRow row;
  for (const auto* key : {"id", "common_name", "sans", "serial", "not_before", "not_after",
                          "status", "days_left", "manager", "requested_by"})
    row.push_back(t.text(std::string("certificates.column.") + key));
  return row;
}

std::optional<long long> daysLeft(const core::IssuedCertificate& certificate, core::TimePoint now) {
  const auto status = core::statusAt(certificate.not_after, certificate.revoked_at, now);
  if (status == core::CertificateStatus::expired || status == core::CertificateStatus::revoked)
    return std::nullopt;
  const auto seconds = (certificate.not_after - now).count();
  return (seconds + 86399) / 86400;
}

ExportRows::ExportRows(const Catalogue& t, core::TimePoint now)
    : now_(now), row_(exportHeader(t).size()) {
  for (const auto status : {core::CertificateStatus::valid, core::CertificateStatus::expiring,
                            core::CertificateStatus::expired, core::CertificateStatus::revoked})
    status_texts_[std::size_t(status)] =
        t.text("certificates.status." + std::string(core::toString(status)));
}

const ExportRow& ExportRows::of(const core::IssuedCertificate& certificate) {
  const auto status = core::statusAt(certificate.not_after, certificate.revoked_at, now_);
  const auto days = daysLeft(certificate, now_);
  row_[0] = std::to_string(certificate.id);
  row_[1] = certificate.common_name;
  row_[2].clear();
  for (const auto& name : certificate.dns_names) {
    if (!row_[2].empty()) row_[2] += ' ';
    row_[2] += name;
  }
  row_[3] = colonHex(certificate.serial_hex);
  row_[4] = core::toIso8601(certificate.not_before);
  row_[5] = core::toIso8601(certificate.not_after);
  row_[6] = status_texts_[std::size_t(status)];
  row_[7] = days ? std::to_string(*days) : std::string();
  row_[8] = certificate.manager_name;
  row_[9] = certificate.requested_by_name;
  return row_;
}

std::string colonHex(std::string_view hex) {
  std::string text;
  // An odd number of digits has an implicit leading zero.
  const std::string padded = hex.size() % 2 ? "0" + std::string(hex) : std::string(hex);
  for (std::size_t i = 0; i < padded.size(); i += 2) {
    if (i > 0) text += ':';
    text += char(std::toupper(static_cast<unsigned char>(padded[i])));
    text += char(std::toupper(static_cast<unsigned char>(padded[i + 1])));
  }
  return text;
}

void appendCsvField(std::string& out, std::string_view value, char separator) {
  // OWASP "CSV injection": a spreadsheet runs a cell that starts with one of these as a formula.
  const bool formula =
      !value.empty() && std::string_view("=+-@\t\r").find(value.front()) != std::string_view::npos;
  const char specials[] = {separator, '"', '\r', '\n'};
  if (value.find_first_of(std::string_view(specials, sizeof specials)) == std::string_view::npos) {
    if (formula) out += '\'';
    out += value;
    return;
  }
  out += '"';
  if (formula) out += '\'';
  for (const char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

void appendCsvRecord(std::string& out, const ExportRow& row, char separator) {
  for (std::size_t i = 0; i < row.size(); ++i) {
    if (i > 0) out += separator;
    appendCsvField(out, row[i], separator);
  }
  out += "\r\n";
}

std::string attachmentDisposition(std::string_view prefix, std::string_view organisation,
                                  core::TimePoint date, std::string_view extension) {
  const std::string day = core::toIso8601(date).substr(0, 10);
  const std::string tail = "-" + day + "." + std::string(extension);
  const std::string ascii = std::string(prefix) + "-" + asciiSlug(organisation) + tail;
  const std::string utf8 = std::string(prefix) + "-" + utf8Slug(organisation) + tail;
  return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" +
         boost::urls::encode(utf8, boost::urls::unreserved_chars);
}

PrivateDirectory::PrivateDirectory(std::string_view prefix) {
  std::string pattern =
      (std::filesystem::temp_directory_path() / (std::string(prefix) + "XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr)
    throw std::system_error(errno, std::generic_category(), "cannot create " + pattern);
  path_ = pattern;
}

PrivateDirectory::~PrivateDirectory() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

XlsxFile::XlsxFile(const std::filesystem::path& path, const std::filesystem::path& temp_dir,
                   std::string_view sheet_name)
    : temp_dir_(temp_dir.string()) {
  lxw_workbook_options options{};
  options.constant_memory = LXW_TRUE;
  options.tmpdir = temp_dir_.data();
  workbook_ = workbook_new_opt(path.c_str(), &options);
  if (workbook_ == nullptr) throw std::runtime_error("xlsx: cannot create the workbook");
  sheet_ = workbook_add_worksheet(workbook_, std::string(sheet_name).c_str());
  if (sheet_ == nullptr) {
    workbook_close(workbook_);
    throw std::runtime_error("xlsx: cannot add a worksheet");
  }
}

XlsxFile::~XlsxFile() {
  // An unfinished file (an error while reading rows) is closed to free the library's memory;
  // the caller removes it.
  if (workbook_ != nullptr) workbook_close(workbook_);
}

void XlsxFile::add(const ExportRow& row, const std::vector<std::size_t>& numeric_columns) {
  for (std::size_t column = 0; column < row.size(); ++column) {
    const auto& cell = row[column];
    const auto col = static_cast<lxw_col_t>(column);
    long long number = 0;
    const bool numeric = std::find(numeric_columns.begin(), numeric_columns.end(), column) !=
                             numeric_columns.end() &&
                         !cell.empty() &&
                         std::from_chars(cell.data(), cell.data() + cell.size(), number).ptr ==
                             cell.data() + cell.size();
    // Cells are written as strings or numbers, never as formulas: a leading = stays text.
    if (numeric)
      check(worksheet_write_number(sheet_, row_, col, double(number), nullptr), "number");
    else if (!cell.empty())
      check(worksheet_write_string(sheet_, row_, col, cell.c_str(), nullptr), "string");
  }
  ++row_;
}

void XlsxFile::close() {
  auto* workbook = workbook_;
  workbook_ = nullptr;
  check(workbook_close(workbook), "close");
}

}  // namespace web
