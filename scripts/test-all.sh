#!/usr/bin/env bash
# Runs every test suite after the build, from the repository root:
#   1. unit tests (ctest), 2. integration tests (node --test), on SQLite and again on PostgreSQL,
#   3. browser tests (Playwright).
# A failing suite does not stop the others. Prints one line per suite and, as the very last line,
# "N passed, N failed" (read by CI). Exits non-zero when anything failed. A suite that crashes
# before reporting its counts is counted as 1 failed.
set -uo pipefail
cd "$(dirname "$0")/.."

results_dir=test-results
mkdir -p "$results_dir"
summary=()
total_passed=0
total_failed=0

# record NAME PASSED FAILED EXIT_CODE: adds a suite's counts; a non-zero exit without any
# reported failure (a crash, a failing hook, a set-up error) counts as one failure.
record() {
  local name=$1 passed=${2:-} failed=${3:-} status=$4
  if ! [[ $passed =~ ^[0-9]+$ && $failed =~ ^[0-9]+$ ]]; then
    passed=0
    failed=$((status == 0 ? 0 : 1))
    name="$name (no counts reported)"
  fi
  if ((status != 0 && failed == 0)); then
    failed=1
    name="$name (exit code $status)"
  fi
  summary+=("$(printf '%-36s %4d passed, %4d failed' "$name" "$passed" "$failed")")
  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed))
}

# This script decides which database each run uses (SQLite unless it says otherwise).
unset MIJNCERT_TEST_DATABASE_URL

# The storage tests also run against a real PostgreSQL 15 server when one can be started; the
# integration suite always runs on it as well (ADR 0009: one schema for both dialects).
postgres_url=
postgres_dir=$(mktemp -d /tmp/mijncert-pg.XXXXXX)
trap 'scripts/test-postgres.sh stop "$postgres_dir"' EXIT
if postgres_url=$(scripts/test-postgres.sh start "$postgres_dir"); then
  export MIJNCERT_TEST_POSTGRES_URL=$postgres_url
  echo "PostgreSQL for the tests: $postgres_url"
else
  postgres_url=
  echo "warning: could not start PostgreSQL; its storage tests are skipped and its integration run fails" >&2
fi

# 1. Unit tests: "100% tests passed, 0 tests failed out of 42".
echo "=== unit tests (ctest) ==="
ctest_log=$results_dir/ctest.log
ctest --test-dir build --output-on-failure 2>&1 | tee "$ctest_log"
ctest_status=${PIPESTATUS[0]}
ctest_line=$(grep -E '[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$ctest_log" | tail -n 1)
if [[ $ctest_line =~ ([0-9]+)\ tests?\ failed\ out\ of\ ([0-9]+) ]]; then
  record unit $((BASH_REMATCH[2] - BASH_REMATCH[1])) "${BASH_REMATCH[1]}" "$ctest_status"
else  # includes "No tests were found": the build always has unit tests, so that is a failure
  ((ctest_status == 0)) && ctest_status=1
  record unit '' '' "$ctest_status"
fi

# 2. Integration tests: spec output on the console, TAP ("# pass N", "# fail N", "# cancelled N") to a file.
# run_integration NAME TAP_FILE [VAR=VALUE…]: runs the suite with the given environment and records it.
run_integration() {
  local name=$1 tap_log=$2
  shift 2
  echo "=== $name tests (node --test) ==="
  rm -f "$tap_log"
  env "$@" timeout --kill-after=30 1200 node --test --test-concurrency=1 --test-timeout=120000 \
    --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination="$tap_log" \
    tests/integration/
  local status=$? passed failed cancelled
  passed=$(sed -n 's/^# pass \([0-9]\+\)$/\1/p' "$tap_log" 2>/dev/null | tail -n 1)
  failed=$(sed -n 's/^# fail \([0-9]\+\)$/\1/p' "$tap_log" 2>/dev/null | tail -n 1)
  cancelled=$(sed -n 's/^# cancelled \([0-9]\+\)$/\1/p' "$tap_log" 2>/dev/null | tail -n 1)
  # Tests cancelled because a hook failed (e.g. the server did not start) did not pass: count them.
  [[ $failed =~ ^[0-9]+$ && $cancelled =~ ^[0-9]+$ ]] && failed=$((failed + cancelled))
  record "$name" "$passed" "$failed" "$status"
}
run_integration integration "$results_dir/integration.tap"
if [[ -n $postgres_url ]]; then
  run_integration "integration (postgresql)" "$results_dir/integration-postgresql.tap" \
    MIJNCERT_TEST_DATABASE_URL="$postgres_url"
else  # never skipped silently: without a server this run fails
  record "integration (postgresql): no server" 0 1 1
fi

# 3. Browser tests: counts from the JSON reporter (see playwright.config.mjs).
echo "=== browser tests (playwright) ==="
pw_json=$results_dir/playwright-results.json
rm -f "$pw_json"
timeout --kill-after=30 1200 npx --no-install playwright test
pw_status=$?
pw_counts=$(node -e '
  const stats = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).stats ?? {};
  const passed = (stats.expected ?? 0) + (stats.flaky ?? 0);
  if (!Number.isInteger(passed) || !Number.isInteger(stats.unexpected)) process.exit(1);
  console.log(`${passed} ${stats.unexpected}`);
' "$pw_json" 2>/dev/null)
record browser "${pw_counts% *}" "${pw_counts#* }" "$pw_status"

echo
echo "=== summary ==="
printf '%s\n' "${summary[@]}"
echo "$total_passed passed, $total_failed failed"
((total_failed == 0))
