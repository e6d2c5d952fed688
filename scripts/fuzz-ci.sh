#!/usr/bin/env bash
# The bounded fuzz pass of CI (.ci/run calls it after `cargo test`): schemathesis over the
# newest Backend API spec only, 5 examples per operation with the fixed seed 20261201, against
# the debug clerk-mock `cargo test` already built (started with --validate-responses), with the
# checks not_a_server_error, status_code_conformance, content_type_conformance,
# response_schema_conformance and negative_data_rejection; exits non-zero on any failure.
# It needs about 85 s of CPU (schemathesis and the server, one core each: 10,813 test cases), so
# about 1.5 minutes on an idle 2-core machine and up to 5 on a busy one; a 600 s hard stop
# counts as a failure.
#
#   bash scripts/fuzz-ci.sh
#
# Everything else — the pinned schemathesis in .sdk/fuzz-venv, the fuzzing copy of the spec
# (scripts/fuzz_spec.py: it only adds Clerk's universal 400/401/404/405/422 answers and the
# `{data, total_count}` alternative of `paginated` lists) and the one documented exception —
# is scripts/fuzz.sh, whose header explains them. The long run over all seven documents is
# `bash scripts/fuzz.sh`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SPEC_DIR="$(cd "${SPEC_DIR:-$ROOT/../shared/clerk-openapi}" && pwd)"
# The newest dated Backend API document, wherever it sits (top level or bapi-more/).
NEWEST="$(cd "$SPEC_DIR" && ls bapi-*.json bapi-more/bapi-*.json 2>/dev/null | xargs -n1 basename | sort | tail -n1)"
[ -n "$NEWEST" ] || { echo "[fuzz-ci] no bapi-*.json in $SPEC_DIR" >&2; exit 1; }
export SPEC_DIR
export SPECS="$NEWEST"
export MAX_EXAMPLES="${MAX_EXAMPLES:-5}"
export BIN="${BIN:-target/debug/clerk-mock}"
export TIME_LIMIT="${TIME_LIMIT:-600}"
exec bash "$ROOT/scripts/fuzz.sh"
