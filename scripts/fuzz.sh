#!/usr/bin/env bash
# Property-based fuzzing of a running clerk-mock with schemathesis (DESIGN §8, layer 5): every
# operation of each Backend API spec gets generated requests (valid and invalid ones); the server
# runs with --validate-responses, so an answer that breaks the spec is a 500 and is reported.
# Checks: not_a_server_error, status_code_conformance, content_type_conformance,
# response_schema_conformance, negative_data_rejection. Exits non-zero on any failure.
#
#   bash scripts/fuzz.sh                 # the long run: all seven documents, 20 examples each (about 1 h on a busy 2-core machine)
#   SPECS=bapi-2026-05-12.json MAX_EXAMPLES=5 bash scripts/fuzz.sh    # what CI runs (fuzz-ci.sh)
#
# Env: SPEC_DIR (../shared/clerk-openapi), SPECS (file names in SPEC_DIR or its bapi-more/;
#      default: every Backend API document there), SEED (20261201), MAX_EXAMPLES (20),
#      BIN (target/release/clerk-mock, built with `cargo build --release`; CI passes the debug
#      binary `cargo test` built), VENV (.sdk/fuzz-venv), TIME_LIMIT (seconds per spec, 1800; a
#      hard stop that counts as a failure), WORKERS (1). Loopback only.
#
# What is fuzzed is a *fuzzing copy* of each spec (scripts/fuzz_spec.py, written to a temp dir,
# never committed). It adds only what Clerk's documents under-declare and Clerk always does:
#   - 400/401/404/405/422 with Clerk's error envelope on operations that omit them;
#   - `{data, total_count}` beside a bare-array answer where the operation declares
#     `paginated` (Clerk answers that shape to `paginated=true`).
# Nothing else about the spec changes; the server itself serves the official documents.
#
# One deliberate exception, in the schemathesis config below: three operations declare a
# request field `nullable: true` with an enum that does not list null (UpdateInstance
# `preferred_sign_in_strategy_when_password_required`, UpdateRoleSet `type`, RefreshSession
# `format`). The mock accepts null there (`nullable` means null is a value, STACK rule 3;
# Clerk's Go backend reads null as "not given"), schemathesis' strict OpenAPI 3.0.3 reading
# calls null invalid; negative_data_rejection is off for those three operations only.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SPEC_DIR="$(cd "${SPEC_DIR:-../shared/clerk-openapi}" && pwd)"
SEED="${SEED:-20261201}"
MAX_EXAMPLES="${MAX_EXAMPLES:-20}"
BIN="${BIN:-target/release/clerk-mock}"
VENV="${VENV:-$ROOT/.sdk/fuzz-venv}"
TIME_LIMIT="${TIME_LIMIT:-1800}"
# One worker: with two, schemathesis' threads trip CPython 3.11's "AST constructor recursion
# depth mismatch" (a race in compile() between threads), reported as runtime errors.
WORKERS="${WORKERS:-1}"
SCHEMATHESIS_VERSION="4.32.5"

log() { printf '[fuzz] %s\n' "$*" >&2; }

# --- schemathesis, pinned, in its own venv ----------------------------------------------
have="$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("schemathesis"))' 2>/dev/null || true)"
if [ "$have" != "$SCHEMATHESIS_VERSION" ]; then
  log "installing schemathesis $SCHEMATHESIS_VERSION into $VENV"
  [ -x "$VENV/bin/pip" ] || { rm -rf "$VENV"; python3 -m venv "$VENV"; }
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input "schemathesis==$SCHEMATHESIS_VERSION"
fi

# --- the specs ----------------------------------------------------------------------------
# A name → its path (top level first, then bapi-more/).
spec_path() { for d in "$SPEC_DIR" "$SPEC_DIR/bapi-more"; do [ -f "$d/$1" ] && { echo "$d/$1"; return; }; done; return 1; }
if [ -z "${SPECS:-}" ]; then
  SPECS="$(cd "$SPEC_DIR" && ls openapi.json bapi-*.json bapi-more/bapi-*.json 2>/dev/null | xargs -n1 basename | sort -u | tr '\n' ' ')"
fi

# --- the server ---------------------------------------------------------------------------
case "$BIN" in
  target/release/*) log "building $BIN"; cargo build --locked --release --bin clerk-mock >&2 ;;
  *) [ -x "$BIN" ] || { log "building $BIN"; cargo build --locked --bin clerk-mock >&2; } ;;
esac

WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# The checks live in the config, not on the command line: `-c` would override the
# per-operation exception below.
cat >"$WORK/schemathesis.toml" <<'TOML'
[checks]
enabled = false
not_a_server_error.enabled = true
status_code_conformance.enabled = true
content_type_conformance.enabled = true
response_schema_conformance.enabled = true
negative_data_rejection.enabled = true

# See the header of scripts/fuzz.sh: null where the spec says nullable but its enum omits null.
[[operations]]
include-operation-id = ["UpdateInstance", "UpdateRoleSet", "RefreshSession"]
checks.negative_data_rejection.enabled = false
TOML

"$BIN" serve --port 0 --spec-dir "$SPEC_DIR" --validate-responses --no-fixtures --log-level error >"$WORK/server.out" 2>"$WORK/server.err" &
SERVER_PID=$!
for _ in $(seq 1 600); do [ -s "$WORK/server.out" ] && break; kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
URL="$(head -n1 "$WORK/server.out" || true)"
case "$URL" in http://*) ;; *) log "clerk-mock did not start:"; cat "$WORK/server.err" >&2; exit 1 ;; esac
log "clerk-mock at $URL; seed $SEED, $MAX_EXAMPLES examples per operation; specs: $SPECS"

status=0
for name in $SPECS; do
  path="$(spec_path "$name")" || { log "$name not found in $SPEC_DIR"; status=1; continue; }
  python3 scripts/fuzz_spec.py "$path" "$WORK/fuzz-$name"
  # openapi.json (v1) is what a request without Clerk-API-Version gets; dated ones are asked for.
  version_header=()
  case "$name" in bapi-*) version_header=(-H "Clerk-API-Version: $(basename "$name" .json | sed 's/^bapi-//')") ;; esac
  log "== $name"
  rc=0
  # The generation database stays off so a run replays its seed and nothing else.
  timeout "$TIME_LIMIT" "$VENV/bin/schemathesis" --config-file "$WORK/schemathesis.toml" run "$WORK/fuzz-$name" \
    -u "$URL/v1" -H "Authorization: Bearer sk_test_fuzz_${name//[^a-z0-9]/_}" "${version_header[@]}" \
    --seed "$SEED" --max-examples "$MAX_EXAMPLES" --generation-database none \
    -w "$WORKERS" --no-color || rc=$?
  [ "$rc" = 124 ] && log "$name: schemathesis ran out of its ${TIME_LIMIT}s budget"
  [ "$rc" = 0 ] || { log "$name: FAILED (exit $rc)"; status=1; }
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    log "clerk-mock exited during the run:"; cat "$WORK/server.err" >&2; exit 1
  fi
done
[ "$status" = 0 ] && log "ok: no failures" || log "FAILED"
exit "$status"
