// Fills a demo with many server certificates of one organisation, so that the overview, the
// API and the exports can be measured and tried at the size customers reach (bench/README.md).
// Run: build/bench/fill_inventory --database URL --organisation ID --count N
// URL as in the demo's mijncert.toml ("sqlite:PATH", relative to the working directory here,
// or "postgresql://…"); the database must be migrated (`mijncert init-dev` does that).

#include "bench/inventory_fill.hpp"
#include "bench/micro_support.hpp"
#include "core/clock.hpp"

#include <chrono>
#include <iostream>
#include <stdexcept>
#include <string>

int main(int argc, char** argv) {
  return bench::runProgram(
      "fill_inventory", "fill_inventory --database URL --organisation ID --count N", [&] {
        const auto arguments =
            bench::parseArguments(argc, argv, {"--database", "--organisation", "--count"});
        const long long organisation = std::stoll(arguments.required("--organisation"));
        const int count = std::stoi(arguments.required("--count"));
        if (organisation <= 0 || count <= 0 || !arguments.files.empty())
          throw std::invalid_argument("the organisation and the count are positive numbers");
        auto opened = storage::Database::open(arguments.required("--database"), 1);
        if (!opened) throw std::runtime_error(opened.error().message);
        storage::Database& database = **opened;

        const auto started = std::chrono::steady_clock::now();
        // A missing organisation fails the foreign key of the first row: nothing is inserted.
        const auto first =
            bench::fillInventory(database, {.organisation = organisation,
                                            .count = count,
                                            .now = core::SystemClock().now(),
                                            .like = bench::likenessOf(database, organisation)});
        const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
        std::cout << "inserted " << count << " server certificates (ids " << first << " to "
                  << first + count - 1 << ") for organisation " << organisation << " in "
                  << took.count() << " s\n";
        return 0;
      });
}
