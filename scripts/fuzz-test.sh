#!/usr/bin/env bash
# The fuzzing step of the test suite: starts `segstat serve` on the bundled data
# (scripts/test-server.sh) and fuzzes it from its own OpenAPI document with schemathesis
# (scripts/fuzz.sh), a bounded number of examples per operation, seed 1: no 5xx, every status,
# content type, header and body as documented, every invalid input refused, undocumented methods
# answered 405 with Allow.
#
#   scripts/fuzz-test.sh           FUZZ_EXAMPLES=N sets the examples per operation (default 25);
#                                  FUZZ_EXAMPLES=0 skips the step
#
# positive_data_acceptance is left out here: its only failures are rules between parameters that
# OpenAPI cannot express (area_type needs year, area or level, lon/lat or easting/northing, ...).
# The report (junit.xml, st.log with a curl command per failure, the ndjson event log) is in
# target/fuzz/seed-1/.
set -euo pipefail
cd "$(dirname "$0")/.."
examples="${FUZZ_EXAMPLES:-25}"
report=target/fuzz/seed-1
if [ "$examples" = 0 ]; then
    echo "fuzz-test.sh: FUZZ_EXAMPLES=0, fuzzing skipped" >&2
    exit 0
fi
# shellcheck source=test-server.sh
source scripts/test-server.sh

start_test_server fuzz-test
say "fuzzing $base with $examples examples per operation; report in $report/"
status=0
FUZZ_CHECKS=not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance,negative_data_rejection,unsupported_method,allow_header_conformance \
    scripts/fuzz.sh "$base" "$examples" 1 || status=$?
say "fuzzing report: $report/ (junit.xml, st.log); exit status $status"
exit "$status"
