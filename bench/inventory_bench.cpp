// The certificate overview with 100,000 server certificates in one organisation (the target of
// bench/README.md §inventory_bench): first and deep pages in both sort orders, status and expiry
// filters, a name search, and streaming the whole export.
// Run: cmake --build build --target inventory_bench && build/bench/inventory_bench
// On PostgreSQL: MIJNCERT_BENCH_DATABASE_URL=postgresql://…/empty_database
// build/bench/inventory_bench

#include "bench/inventory_fill.hpp"
#include "core/clock.hpp"
#include "storage/certificate_inventory.hpp"
#include "storage/database.hpp"

#include <benchmark/benchmark.h>
#include <soci/soci.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

namespace {

constexpr int kCertificates = 100'000;
const core::TimePoint kNow{std::chrono::sys_days{std::chrono::year{2026} / 11 / 27}};

// One database, filled once for all benchmarks (inserting takes a few seconds): a temporary
// SQLite file, or the empty PostgreSQL database MIJNCERT_BENCH_DATABASE_URL names.
struct Inventory {
  std::filesystem::path file = std::filesystem::temp_directory_path() / "mijncert-bench.db";
  std::unique_ptr<storage::Database> database;
  core::OrganisationId organisation = 1;

  static std::string url(const std::filesystem::path& file) {
    const char* given = std::getenv("MIJNCERT_BENCH_DATABASE_URL");
    return given && *given ? given : "sqlite:" + file.string();
  }

  Inventory() {
    std::filesystem::remove(file);
    auto opened = storage::Database::open(url(file), 2);
    if (!opened) throw std::runtime_error("open failed: " + opened.error().message);
    database = std::move(*opened);
    if (!database->migrate()) throw std::runtime_error("migrate failed");
    {
      soci::session sql(database->pool());
      sql << "INSERT INTO organisations (name, kvk, visiting_street, visiting_postal_code, "
             "visiting_city, visiting_country, postal_street, postal_postal_code, postal_city, "
             "postal_country, billing_street, billing_postal_code, billing_city, "
             "billing_country, billing_attention_of, billing_email, "
             "billing_purchase_order_reference, billing_vat_number, portal_enabled, "
             "created_at) VALUES ('Groot B.V.', '11223344', '', '', '', 'NL', '', '', '', "
             "'NL', '', '', '', 'NL', '', '', '', '', 1, 0)";
    }
    bench::InventoryLikeness like;
    like.domain = "groot.nl";
    bench::fillInventory(
        *database,
        {.organisation = organisation, .count = kCertificates, .now = kNow, .like = like});
  }
  ~Inventory() { std::filesystem::remove(file); }
};

Inventory& inventory() {
  static Inventory instance;
  return instance;
}

storage::CertificateQuery query() {
  return {.organisation = inventory().organisation, .limit = 25, .now = kNow};
}

void runSearch(benchmark::State& state, storage::CertificateQuery q) {
  storage::CertificateInventory certificates(*inventory().database);
  for (auto _ : state) {
    auto page = certificates.search(q);
    if (!page || page->items.empty()) state.SkipWithError("no result");
    benchmark::DoNotOptimize(page);
  }
}

void firstPageByExpiry(benchmark::State& state) {
  runSearch(state, query());
}

void deepPageByName(benchmark::State& state) {
  auto q = query();
  q.sort = storage::CertificateSort::name_descending;
  q.offset = 75'000;
  runSearch(state, q);
}

void expiringWithin30Days(benchmark::State& state) {
  auto q = query();
  q.expiring_within_days = 30;
  runSearch(state, q);
}

void statusExpired(benchmark::State& state) {
  auto q = query();
  q.status = core::CertificateStatus::expired;
  runSearch(state, q);
}

void searchByName(benchmark::State& state) {
  auto q = query();
  q.search = "host-4242.";
  runSearch(state, q);
}

void streamWholeExport(benchmark::State& state) {
  storage::CertificateInventory certificates(*inventory().database);
  for (auto _ : state) {
    std::int64_t rows = 0;
    auto done = certificates.forEach(query(), [&](const core::IssuedCertificate&) {
      ++rows;
      return true;
    });
    if (!done || rows != kCertificates) state.SkipWithError("export incomplete");
    state.counters["rows"] = static_cast<double>(rows);
  }
}

}  // namespace

BENCHMARK(firstPageByExpiry)->Unit(benchmark::kMillisecond);
BENCHMARK(deepPageByName)->Unit(benchmark::kMillisecond);
BENCHMARK(expiringWithin30Days)->Unit(benchmark::kMillisecond);
BENCHMARK(statusExpired)->Unit(benchmark::kMillisecond);
BENCHMARK(searchByName)->Unit(benchmark::kMillisecond);
BENCHMARK(streamWholeExport)->Unit(benchmark::kMillisecond)->Iterations(2);

BENCHMARK_MAIN();
