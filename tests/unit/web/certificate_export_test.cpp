#include "web/certificate_export.hpp"

#include "core/time_format.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace {

std::string csvField(std::string_view value, char separator) {
  std::string field;
  web::appendCsvField(field, value, separator);
  return field;
}

std::string csvRecord(const web::ExportRow& row, char separator) {
  std::string record;
  web::appendCsvRecord(record, row, separator);
  return record;
}

TEST(CsvField, PlainTextStaysAsItIs) {
  EXPECT_EQ(csvField("www.voorbeeld.nl", ','), "www.voorbeeld.nl");
  EXPECT_EQ(csvField("Zoë Ærøskøbing", ','), "Zoë Ærøskøbing");
  EXPECT_EQ(csvField("", ','), "");
}

TEST(CsvField, QuotesSeparatorsQuotesAndLineBreaks) {
  EXPECT_EQ(csvField("a,b", ','), "\"a,b\"");
  EXPECT_EQ(csvField("a,b", ';'), "a,b");
  EXPECT_EQ(csvField("a;b", ';'), "\"a;b\"");
  EXPECT_EQ(csvField("zeg \"hallo\"", ','), "\"zeg \"\"hallo\"\"\"");
  EXPECT_EQ(csvField("twee\nregels", ','), "\"twee\nregels\"");
}

TEST(CsvField, NeutralisesFormulas) {
  EXPECT_EQ(csvField("=HYPERLINK(\"x\")", ','), "\"'=HYPERLINK(\"\"x\"\")\"");
  EXPECT_EQ(csvField("+31", ','), "'+31");
  EXPECT_EQ(csvField("-1", ','), "'-1");
  EXPECT_EQ(csvField("@SUM(A1)", ','), "'@SUM(A1)");
  EXPECT_EQ(csvField("\tx", ','), "'\tx");
  EXPECT_EQ(csvField("\rx", ','), "\"'\rx\"");
  EXPECT_EQ(csvField("a=b", ','), "a=b");
}

TEST(CsvRecord, JoinsFieldsAndEndsWithCrLf) {
  EXPECT_EQ(csvRecord({"1", "a;b", "=x"}, ';'), "1;\"a;b\";'=x\r\n");
}

TEST(CsvRecord, IsAppended) {
  std::string text = "a\r\n";
  web::appendCsvRecord(text, {"b", "c"}, ',');
  EXPECT_EQ(text, "a\r\nb,c\r\n");
}

TEST(ColonHex, WritesBytesInUpperCase) {
  EXPECT_EQ(web::colonHex("0a1bff"), "0A:1B:FF");
  EXPECT_EQ(web::colonHex("abc"), "0A:BC");
}

TEST(AttachmentDisposition, CarriesOrganisationAndDateInAsciiAndUtf8) {
  const auto date = core::parseIso8601("2026-11-27T10:00:00Z").value();
  EXPECT_EQ(web::attachmentDisposition("servercertificaten", "Voorbeeld B.V.", date, "csv"),
            "attachment; filename=\"servercertificaten-voorbeeld-bv-2026-11-27.csv\"; "
            "filename*=UTF-8''servercertificaten-voorbeeld-bv-2026-11-27.csv");
  EXPECT_EQ(web::attachmentDisposition("x", "Café \"De Kroon\"", date, "xlsx"),
            "attachment; filename=\"x-caf-de-kroon-2026-11-27.xlsx\"; "
            "filename*=UTF-8''x-caf%C3%A9-de-kroon-2026-11-27.xlsx");
}

TEST(ExportRow, HasTheColumnsOfTheHeader) {
  const auto& t = web::Catalogue::of(web::Language::nl);
  core::IssuedCertificate c;
  c.id = 7;
  c.common_name = "a.voorbeeld.nl";
  c.dns_names = {"a.voorbeeld.nl", "b.voorbeeld.nl"};
  c.serial_hex = "0a";
  const auto now = core::parseIso8601("2026-01-01T00:00:00Z").value();
  c.not_before = now - std::chrono::days{10};
  c.not_after = now + std::chrono::days{20} + std::chrono::hours{1};
  c.manager_name = "Mia";
  web::ExportRows rows(t, now);
  const auto row = rows.of(c);
  ASSERT_EQ(row.size(), web::exportHeader(t).size());
  EXPECT_EQ(row[0], "7");
  EXPECT_EQ(row[2], "a.voorbeeld.nl b.voorbeeld.nl");
  EXPECT_EQ(row[3], "0A");
  EXPECT_EQ(row[6], "Verloopt binnenkort");
  EXPECT_EQ(row[7], "21");
  c.revoked_at = now;
  EXPECT_EQ(rows.of(c)[6], "Ingetrokken");
  EXPECT_EQ(rows.of(c)[7], "");
}

TEST(ExportRow, LeavesNothingOfThePreviousRow) {
  const auto& t = web::Catalogue::of(web::Language::nl);
  const auto now = core::parseIso8601("2026-01-01T00:00:00Z").value();
  core::IssuedCertificate first;
  first.dns_names = {"a.voorbeeld.nl", "b.voorbeeld.nl"};
  first.manager_name = "Mia";
  first.not_after = now + std::chrono::days{100};
  core::IssuedCertificate second;
  second.not_after = now - std::chrono::days{1};
  web::ExportRows rows(t, now);
  rows.of(first);
  const auto& row = rows.of(second);
  EXPECT_EQ(row[2], "");
  EXPECT_EQ(row[7], "");
  EXPECT_EQ(row[8], "");
}

TEST(PrivateDirectory, OnlyItsOwnerCanEnterAndItGoesWithItsContents) {
  std::filesystem::path kept;
  {
    const web::PrivateDirectory first("mijncert-test-");
    const web::PrivateDirectory second("mijncert-test-");
    kept = first.path();
    EXPECT_NE(first.path(), second.path());
    EXPECT_EQ(first.path().parent_path(), std::filesystem::temp_directory_path());
    EXPECT_EQ(std::filesystem::status(first.path()).permissions(),
              std::filesystem::perms::owner_all);
    std::ofstream(first.path() / "inside") << "data";
  }
  EXPECT_FALSE(std::filesystem::exists(kept));
}

TEST(XlsxFile, WritesAWorkbookThatUnzips) {
  const web::PrivateDirectory directory("mijncert-xlsx-test-");
  const auto& dir = directory.path();
  const auto file = dir / "out.xlsx";
  {
    web::XlsxFile workbook(file, dir, "Servercertificaten");
    workbook.add({"Nummer", "Naam"});
    workbook.add({"12", "=1+1 \"Zoë\"; x"}, {0});
    workbook.close();
  }
  ASSERT_TRUE(std::filesystem::exists(file));
  if (std::system("command -v unzip >/dev/null 2>&1") != 0) GTEST_SKIP() << "unzip missing";
  const auto sheet = dir / "sheet.xml";
  ASSERT_EQ(std::system(("unzip -p '" + file.string() + "' xl/worksheets/sheet1.xml > '" +
                         sheet.string() + "'")
                            .c_str()),
            0);
  std::ifstream in(sheet);
  const std::string xml((std::istreambuf_iterator<char>(in)), {});
  EXPECT_NE(xml.find("<v>12</v>"), std::string::npos) << xml;  // a number
  // A string, never a formula: no <f> element.
  EXPECT_NE(xml.find("<t>=1+1 \"Zoë\"; x</t>"), std::string::npos) << xml;
  EXPECT_EQ(xml.find("<f>"), std::string::npos);
}

}  // namespace
