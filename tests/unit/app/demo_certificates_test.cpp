// Every certificate init-dev issues through the CA passes `openssl verify -x509_strict` for its
// purpose against the dev chain and matches its product profile (read back by the C++ checker);
// the demo holds the states PRODUCT.md §9 asks for; `ca crl` and `ca reconcile` work on it.

#include "app/commands.hpp"
#include "ca/product_profile.hpp"
#include "core/certificate.hpp"
#include "core/time_format.hpp"
#include "pki/certificate.hpp"

#include <gtest/gtest.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

struct DemoCertificate {
  std::string kind, product, issuing_ca, pem, common_name, serial_hex;
  long long not_after = 0;
  bool revoked = false;
  long long organisation = 0;
  bool has_manager = false;
  bool has_requester = false;
};

class DemoCertificatesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    fs::remove_all(dir());
    std::ostringstream out, err;
    ASSERT_EQ(app::runCommand({"init-dev", "--dir", dir().string()}, out, err), 0) << err.str();
    const auto pki = dir() / "pki";
    std::ofstream(dir() / "tls-chain.pem")
        << slurp(pki / "tls-ca.crt") << slurp(pki / "tls-intermediate-ca.crt");
    std::ofstream(dir() / "persons-chain.pem")
        << slurp(pki / "persons-ca.crt") << slurp(pki / "persons-intermediate-ca.crt");
  }
  static void TearDownTestSuite() { fs::remove_all(dir()); }
  static fs::path dir() { return fs::temp_directory_path() / "mijncert-demo-certificates"; }

  static std::vector<DemoCertificate> certificates() {
    soci::session sql(soci::sqlite3, "db=\"" + (dir() / "mijncert.db").string() + "\"");
    std::vector<DemoCertificate> result;
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT kind, product, issuing_ca, pem, common_name, serial_hex, "
                        // As text: SQLite gives expressions no declared type SOCI could map.
                        "CAST(not_after AS TEXT), CAST(revoked_at IS NOT NULL AS TEXT), "
                        "CAST(COALESCE(organisation_id, 0) AS TEXT), "
                        "CAST(manager_id IS NOT NULL AS TEXT), "
                        "CAST(requested_by IS NOT NULL AS TEXT) FROM certificates");
    for (const soci::row& row : rows) {
      const auto number = [&](std::size_t i) { return std::stoll(row.get<std::string>(i)); };
      result.push_back({row.get<std::string>(0), row.get<std::string>(1), row.get<std::string>(2),
                        row.get<std::string>(3), row.get<std::string>(4), row.get<std::string>(5),
                        number(6), number(7) != 0, number(8), number(9) != 0, number(10) != 0});
    }
    return result;
  }

  /// `openssl verify -x509_strict` for `purpose`; expired ones are checked apart from time.
  static std::pair<int, std::string> verify(const DemoCertificate& c, const std::string& purpose,
                                            bool expired) {
    const auto leaf = dir() / "leaf.pem";
    std::ofstream(leaf) << c.pem;
    const std::string chain = c.issuing_ca == "tls-ca" ? "tls-chain.pem" : "persons-chain.pem";
    const auto output = dir() / "verify.out";
    const std::string command =
        "openssl verify -x509_strict -purpose " + purpose + (expired ? " -no_check_time" : "") +
        " -CAfile " + (dir() / "pki" / "root-ca.crt").string() + " -untrusted " +
        (dir() / chain).string() + " " + leaf.string() + " >" + output.string() + " 2>&1";
    const int status = std::system(command.c_str());
    return {status, slurp(output)};
  }
};

std::string purposeOf(const std::string& product) {
  if (product == "server-private") return "sslserver";
  if (product.ends_with("-authentication")) return "sslclient";
  if (product.ends_with("-signature")) return "smimesign";
  return "any";  // encryption with an EC key: key agreement, which no OpenSSL purpose names
}

TEST_F(DemoCertificatesTest, EveryCertificateVerifiesAndMatchesItsProfile) {
  const auto all = certificates();
  ASSERT_GE(all.size(), 40u);
  const auto profiles = ca::builtInProfiles();
  const auto tls_ca = pki::Certificate::fromPem(slurp(dir() / "pki" / "tls-ca.crt"));
  const auto persons_ca = pki::Certificate::fromPem(slurp(dir() / "pki" / "persons-ca.crt"));
  ASSERT_TRUE(tls_ca && persons_ca);
  const auto now =
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  for (const auto& c : all) {
    const bool expired = core::fromUnixSeconds(c.not_after) < now;
    const auto [status, output] = verify(c, purposeOf(c.product), expired);
    EXPECT_EQ(status, 0) << c.product << " " << c.common_name << ": " << output;
    const auto parsed = pki::Certificate::fromPem(c.pem);
    ASSERT_TRUE(parsed);
    const ca::ProductProfile* profile = ca::findProfile(profiles, c.product);
    ASSERT_NE(profile, nullptr) << c.product;
    // Judged as of its own start; demo certificates may start before today.
    const ca::CheckContext context{(c.issuing_ca == "tls-ca" ? *tls_ca : *persons_ca).notAfter(),
                                   parsed->notBefore(), true};
    const auto checked = ca::checkCertificate(c.pem, *profile, context);
    EXPECT_TRUE(checked) << c.product << " " << c.common_name << ": "
                         << (checked ? "" : checked.error().message);
  }
}

TEST_F(DemoCertificatesTest, VoorbeeldHasServerCertificatesInEveryState) {
  std::map<core::CertificateStatus, int> states;
  int voorbeeld_servers = 0;
  const auto now =
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  for (const auto& c : certificates()) {
    if (c.kind != "server" || c.common_name.find("voorbeeld.nl") == std::string::npos) continue;
    ++voorbeeld_servers;
    EXPECT_TRUE(c.has_manager && c.has_requester) << c.common_name;
    const std::optional<core::TimePoint> revoked = c.revoked ? std::optional{now} : std::nullopt;
    ++states[core::statusAt(core::fromUnixSeconds(c.not_after), revoked, now)];
  }
  EXPECT_GE(voorbeeld_servers, 25);
  for (auto status : {core::CertificateStatus::valid, core::CertificateStatus::expiring,
                      core::CertificateStatus::expired, core::CertificateStatus::revoked}) {
    EXPECT_GT(states[status], 0) << core::toString(status);
  }
}

TEST_F(DemoCertificatesTest, CrlOfThePersonsCaKeepsTheRevokedLoginAfterRegeneration) {
  const auto config = (dir() / "mijncert.toml").string();
  std::ostringstream out, err;
  ASSERT_EQ(app::runCommand({"ca", "crl", "--config", config}, out, err), 0) << err.str();
  ASSERT_EQ(app::runCommand({"ca", "reconcile", "--config", config}, out, err), 0) << err.str();
  EXPECT_NE(out.str().find("stored 0"), std::string::npos) << out.str();
  const auto revoked_login = pki::Certificate::fromPem(slurp(dir() / "users" / "revoked.crt"));
  ASSERT_TRUE(revoked_login);
  const auto text = dir() / "crl.txt";
  ASSERT_EQ(std::system(("openssl crl -noout -text -in " +
                         (dir() / "pki" / "crl" / "persons-ca.crl").string() + " >" + text.string())
                            .c_str()),
            0);
  std::string serial = revoked_login->serialHex();
  std::transform(serial.begin(), serial.end(), serial.begin(), ::toupper);
  EXPECT_NE(slurp(text).find(serial), std::string::npos);
}

}  // namespace
