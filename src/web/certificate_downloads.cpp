// GET /organisations/{id}/server-certificates.csv and .xlsx (API.md): the overview with the
// page's filters as a file. Both stream: the CSV pulls rows from a keyset cursor as the client
// reads; the .xlsx is written row by row to a temporary file (constant memory) and then sent
// in chunks. Neither holds the list in memory.

#include "web/certificate_export.hpp"
#include "web/certificate_views.hpp"
#include "web/routes.hpp"

#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>

namespace web {

namespace bhttp = boost::beast::http;

namespace {

/// Bytes a streamed download sends at a time.
constexpr std::size_t kChunkBytes = 64 * 1024;

/// The head of a file download; the body follows streamed.
http::Response downloadHead(const RequestContext& context, std::string content_type,
                            const core::Organisation& owner, core::TimePoint now,
                            std::string_view extension) {
  http::Response head{bhttp::status::ok, context.request.version()};
  head.set(bhttp::field::content_type, std::move(content_type));
  head.set(bhttp::field::content_disposition,
           attachmentDisposition(context.texts().text("certificates.download.file_prefix"),
                                 owner.name, now, extension));
  return head;
}

/// The CSV body: the BOM and the header row first, then rows until a chunk is full.
struct CsvStream {
  storage::CertificateCursor cursor;
  const Catalogue* texts;
  char separator;
  ExportRows rows;
  bool started = false;
  bool done = false;

  bool next(std::string& chunk) {
    chunk.clear();
    if (done) return false;
    // Room for the last row beyond a full chunk: the chunk is not copied as it grows.
    chunk.reserve(2 * kChunkBytes);
    if (!started) {
      chunk += kUtf8Bom;
      appendCsvRecord(chunk, exportHeader(*texts), separator);
      started = true;
    }
    while (chunk.size() < kChunkBytes) {
      auto certificate = cursor.next();
      // The status line is sent already: the transport ends the connection without the last
      // chunk, so the client sees an incomplete download rather than a short list.
      if (!certificate) throw std::runtime_error("csv export: " + certificate.error().message);
      if (!*certificate) {
        done = true;
        break;
      }
      appendCsvRecord(chunk, rows.of(**certificate), separator);
    }
    return !chunk.empty();
  }
};

http::Reply csvDownload(RequestContext& context, PortalServices& services) {
  auto access = services.queries.owner(*context.principal, idParameter(context));
  if (!access) return failure(context, access.error(), false);
  const core::Organisation* owner = &access->organisation;
  const auto now = services.clock.now();
  const auto scheiding = context.target.query.find("scheiding");
  const char separator =
      scheiding != context.target.query.end() && scheiding->second == "puntkomma" ? ';' : ',';
  auto stream = std::make_shared<CsvStream>(
      CsvStream{services.inventory.cursor(overviewQuery(context, owner->id, now)), &context.texts(),
                separator, ExportRows(context.texts(), now)});
  return {downloadHead(context, "text/csv; charset=utf-8; header=present", *owner, now, "csv"),
          [stream](std::string& chunk) { return stream->next(chunk); }};
}

/// A finished .xlsx file being sent, alone in a private directory (with libxlsxwriter's own
/// temporary files while it is written); both are removed when the download ends in any way.
class TemporaryXlsxFile {
 public:
  TemporaryXlsxFile() : path_(directory_.path() / "export.xlsx") {}

  const std::filesystem::path& path() const { return path_; }
  const std::filesystem::path& directory() const { return directory_.path(); }
  /// The next piece of the file; false at its end.
  bool next(std::string& chunk) {
    if (!input_.is_open()) input_.open(path_, std::ios::binary);
    chunk.resize(kChunkBytes);
    input_.read(chunk.data(), std::streamsize(chunk.size()));
    chunk.resize(std::size_t(input_.gcount()));
    if (input_.bad()) throw std::runtime_error("xlsx export: cannot read the file");
    return !chunk.empty();
  }

 private:
  PrivateDirectory directory_{"mijncert-export-"};
  std::filesystem::path path_;
  std::ifstream input_;
};

http::Reply xlsxDownload(RequestContext& context, PortalServices& services) {
  auto access = services.queries.owner(*context.principal, idParameter(context));
  if (!access) return failure(context, access.error(), false);
  const core::Organisation* owner = &access->organisation;
  const auto now = services.clock.now();
  const auto& t = context.texts();
  auto file = std::make_shared<TemporaryXlsxFile>();
  {
    XlsxFile workbook(file->path(), file->directory(), t.text("certificates.download.sheet_name"));
    workbook.add(exportHeader(t));
    ExportRows rows(t, now);
    auto written = services.inventory.forEach(
        overviewQuery(context, owner->id, now), [&](const core::IssuedCertificate& certificate) {
          workbook.add(rows.of(certificate), kNumericExportColumns);
          return true;
        });
    if (!written) return failure(context, written.error(), false);
    workbook.close();
  }
  return {downloadHead(context, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       *owner, now, "xlsx"),
          [file](std::string& chunk) { return file->next(chunk); }};
}

}  // namespace

void addCertificateDownloadRoutes(Router& router, PortalServices& services) {
  addRoute(router, services,
           {bhttp::verb::get, "/organisations/{id}/server-certificates.csv", Access::logged_in,
            Format::html},
           csvDownload);
  addRoute(router, services,
           {bhttp::verb::get, "/organisations/{id}/server-certificates.xlsx", Access::logged_in,
            Format::html},
           xlsxDownload);
}

}  // namespace web
