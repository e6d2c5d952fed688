#!/usr/bin/env bash
# Load benchmark of clerk-mock against a "ceiling": a bare hyper + tokio server (examples/ceiling.rs)
# that answers every request with a fixed JSON body as large as a real GET /v1/users?limit=10 answer.
#
#   bash scripts/bench.sh            # writes the table to stdout and to docs/performance.md
#
# Env: SPEC_DIR (../shared/clerk-openapi), DURATION (10s), THREADS (2), CONNECTIONS (32),
#      STARTUP_RUNS (10), OUT (docs/performance.md; "-" for stdout only), SKIP_BUILD (0),
#      MOCK_BIN and MOCK_COMMIT (another clerk-mock binary to measure and the commit it was built
#      from, e.g. an older commit's for a before/after table; with SKIP_BUILD=1),
#      SKIP_WEBHOOKS (0; 1 skips scripts/bench-webhooks.sh, which it runs at the end),
#      N_USERS (100000: users created in the bench instance before the filtered reads),
#      INSTANCES (1000) and USERS_PER_INSTANCE (1000: the many-instances server),
#      FIRST_KEYS (200: fresh keys timed for instance creation and first token).
# Small smoke run: INSTANCES=10 USERS_PER_INSTANCE=100 N_USERS=2000 FIRST_KEYS=20 DURATION=2s OUT=- SKIP_WEBHOOKS=1
# Everything runs on loopback with fixed durations or counts; the servers it starts are stopped at exit.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SPEC_DIR="${SPEC_DIR:-../shared/clerk-openapi}"
DURATION="${DURATION:-10s}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-32}"
STARTUP_RUNS="${STARTUP_RUNS:-10}"
N_USERS="${N_USERS:-100000}"
INSTANCES="${INSTANCES:-1000}"
USERS_PER_INSTANCE="${USERS_PER_INSTANCE:-1000}"
FIRST_KEYS="${FIRST_KEYS:-200}"
OUT="${OUT:-docs/performance.md}"
KEY="sk_test_bench"
MOCK="${MOCK_BIN:-$ROOT/target/release/clerk-mock}"
CEILING="$ROOT/target/release/examples/ceiling"

log() { printf '[bench] %s\n' "$*" >&2; }
die() { printf '[bench] error: %s\n' "$*" >&2; exit 1; }

[ -d "$SPEC_DIR" ] || die "spec dir $SPEC_DIR not found (set SPEC_DIR)"
SPEC_DIR="$(cd "$SPEC_DIR" && pwd)"
TMP="$(mktemp -d)"
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$TMP"
}
trap cleanup EXIT

# --- tools -----------------------------------------------------------------------------
need_apt=()
command -v wrk >/dev/null || need_apt+=(wrk)
command -v curl >/dev/null || need_apt+=(curl)
command -v python3 >/dev/null || need_apt+=(python3)
if [ "${#need_apt[@]}" -gt 0 ]; then
  log "installing ${need_apt[*]} with apt-get"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if [ "${SKIP_BUILD:-0}" = 1 ]; then
  log "SKIP_BUILD=1: using the release binaries already built"
else
  log "building release binaries"
  cargo build --release --bin clerk-mock --examples >&2
fi
[ -x "$MOCK" ] && [ -x "$CEILING" ] || die "release binaries missing: $MOCK, $CEILING"

# --- helpers ---------------------------------------------------------------------------
# start NAME CMD... / stop PID (scripts/lib/processes.sh); fill_users URL N INSTANCES KEY (scripts/lib/fill.sh)
. "$ROOT/scripts/lib/processes.sh"
. "$ROOT/scripts/lib/fill.sh"

# to_ms VALUE_WITH_UNIT (wrk prints us, ms or s)
to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0
    if (v ~ /us$/) n = n / 1000; else if (v ~ /ms$/) n = n; else if (v ~ /s$/) n = n * 1000
    printf "%.3f", n }'
}

# bench LABEL URL LUA: runs wrk; sets RPS, P50, P99 (ms), NON2XX, SOCKERR
bench() {
  local label="$1" url="$2" lua="$3" f="$TMP/$1.wrk"
  log "wrk $label: -t$THREADS -c$CONNECTIONS -d$DURATION $url"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$lua" "$url" >"$f"
  RPS="$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$f")"
  P50="$(to_ms "$(awk '$1 == "50%" {print $2; exit}' "$f")")"
  P99="$(to_ms "$(awk '$1 == "99%" {print $2; exit}' "$f")")"
  NON2XX="$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$f")"; NON2XX="${NON2XX:-0}"
  SOCKERR="$(awk '/Socket errors:/ {sub(/^ *Socket errors: */, ""); print}' "$f")"; SOCKERR="${SOCKERR:-none}"
  TOTAL="$(awk '/requests in/ {print $1; exit}' "$f")"
}

status_of() { # METHOD URL [BODY]
  if [ $# -ge 3 ]; then
    curl -s -o /dev/null -w '%{http_code}' -X "$1" -H "Authorization: Bearer $KEY" \
      -H 'Content-Type: application/json' --data "$3" "$2"
  else
    curl -s -o /dev/null -w '%{http_code}' -X "$1" -H "Authorization: Bearer $KEY" "$2"
  fi
}

rss_kib() { awk -v k="$2" '$1 == k":" {print $2}' "/proc/$1/status"; }
mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
per() { awk -v a="$1" -v b="$2" -v m="${3:-1}" 'BEGIN { if (b > 0) printf "%.0f", a * m / b; else print "n/a" }'; } # A*M/B, rounded

# --- start-up time ---------------------------------------------------------------------
log "start-up time: $STARTUP_RUNS runs of clerk-mock serve (spawn until the URL line)"
mkfifo "$TMP/startup.fifo"
startup_ms=()
for _ in $(seq 1 "$STARTUP_RUNS"); do
  t0="$(date +%s%N)"
  "$MOCK" serve --port 0 --spec-dir "$SPEC_DIR" >"$TMP/startup.fifo" 2>/dev/null &
  pid=$!
  PIDS+=("$pid")
  exec 3<"$TMP/startup.fifo"
  IFS= read -r line <&3 || die "clerk-mock exited before printing its URL"
  t1="$(date +%s%N)"
  case "$line" in http://*) ;; *) die "unexpected first line: $line" ;; esac
  startup_ms+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", (b - a) / 1e6}')")
  stop "$pid"
  exec 3<&-
done
STARTUP_MEDIAN="$(printf '%s\n' "${startup_ms[@]}" | sort -n | awk '{a[NR] = $1} END {if (NR % 2) print a[(NR + 1) / 2]; else printf "%.1f", (a[NR / 2] + a[NR / 2 + 1]) / 2}')"
STARTUP_MIN="$(printf '%s\n' "${startup_ms[@]}" | sort -n | head -n1)"
STARTUP_MAX="$(printf '%s\n' "${startup_ms[@]}" | sort -n | tail -n1)"

# --- clerk-mock, seeded ----------------------------------------------------------------
start clerk-mock "$MOCK" serve --port 0 --spec-dir "$SPEC_DIR"
MOCK_PID="$STARTED_PID"; MOCK_URL="$STARTED_URL"
log "clerk-mock at $MOCK_URL (pid $MOCK_PID)"
RSS_IDLE="$(rss_kib "$MOCK_PID" VmRSS)"
SPEC_COUNT="$(find "$SPEC_DIR" -maxdepth 2 \( -name '*.json' -o -name '*.yaml' -o -name '*.yml' \) | wc -l | tr -d ' ')"
for i in $(seq 1 10); do
  code="$(status_of POST "$MOCK_URL/v1/users" \
    "{\"email_address\":[\"seed-$i@example.com\"],\"first_name\":\"Seed\",\"last_name\":\"User $i\",\"password\":\"Seed-password-$i-x9!\",\"public_metadata\":{\"seed\":$i}}")"
  [ "$code" = 200 ] || die "seeding user $i: POST /v1/users answered $code"
done
curl -s -H "Authorization: Bearer $KEY" "$MOCK_URL/v1/users?limit=10" >"$TMP/users.json"
BODY_BYTES="$(wc -c <"$TMP/users.json" | tr -d ' ')"
[ "$(grep -o '"object":"user"' "$TMP/users.json" | wc -l)" -ge 10 ] || log "warning: GET /v1/users?limit=10 did not return 10 users"
RSS_SEEDED="$(rss_kib "$MOCK_PID" VmRSS)"
users_count() { # [URL] [KEY]
  curl -s -H "Authorization: Bearer ${2:-$KEY}" "${1:-$MOCK_URL}/v1/users/count" | sed -n 's/.*"total_count": *\([0-9]*\).*/\1/p'
}
USERS_SEEDED="$(users_count)"
log "GET /v1/users?limit=10 answers $BODY_BYTES bytes"

# Sanity: each case answers what it should before it is loaded.
GET_CODE="$(status_of GET "$MOCK_URL/v1/users?limit=10")"
VALID_CODE="$(status_of POST "$MOCK_URL/v1/users" '{"email_address":["probe@example.com"],"first_name":"Probe","skip_password_requirement":true}')"
INVALID_CODE="$(status_of POST "$MOCK_URL/v1/users" '{"email_address":["invalid@example.com"],"first_name":42,"skip_password_requirement":true}')"
log "status codes: GET users $GET_CODE, POST valid $VALID_CODE, POST invalid $INVALID_CODE"

# --- ceiling ---------------------------------------------------------------------------
start ceiling "$CEILING" --body-bytes "$BODY_BYTES"
CEIL_PID="$STARTED_PID"; CEIL_URL="$STARTED_URL"
log "ceiling at $CEIL_URL (pid $CEIL_PID)"

# --- load ------------------------------------------------------------------------------
LOADAVG="$(cut -d' ' -f1-3 /proc/loadavg)"
[ "$(awk '{print int($1)}' /proc/loadavg)" -lt 1 ] || log "warning: load average is $LOADAVG: other work on the machine skews the figures"
declare -A R
run_case() { # KEY LABEL URL LUA EXPECTED_STATUS
  bench "$1" "$3" "$4"
  R[$1]="$2|$RPS|$P50|$P99|$NON2XX|$TOTAL|$5|$SOCKERR"
}
run_case ceiling "ceiling: fixed ${BODY_BYTES}-byte JSON (GET)" "$CEIL_URL/v1/users?limit=10" scripts/wrk/auth.lua 200
run_case get "clerk-mock GET /v1/users?limit=10" "$MOCK_URL/v1/users?limit=10" scripts/wrk/auth.lua "$GET_CODE"
run_case invalid "clerk-mock POST /v1/users, invalid body" "$MOCK_URL/v1/users" scripts/wrk/post_user_invalid.lua "$INVALID_CODE"

# Memory per user: exactly N_USERS more users in the bench instance, over HTTP (POST /v1/users,
# the same path as the valid case), RSS before and after.
USERS_BEFORE_FILL="$(users_count)"
RSS_BEFORE_FILL="$(rss_kib "$MOCK_PID" VmRSS)"
fill_users "$MOCK_URL" "$N_USERS" 1 "$KEY"
USERS_BIG="$(users_count)"
[ "$FILL_CREATED" = "$N_USERS" ] && [ "$USERS_BIG" = $((USERS_BEFORE_FILL + N_USERS)) ] \
  || die "filling: $FILL_CREATED creates answered 200, the instance went from $USERS_BEFORE_FILL to $USERS_BIG users (wanted +$N_USERS)"
RSS_FILLED="$(rss_kib "$MOCK_PID" VmRSS)"
BYTES_PER_USER="$(per $((RSS_FILLED - RSS_BEFORE_FILL)) "$N_USERS" 1024)"
FILL1_RPS="$FILL_RPS"; FILL1_SECONDS="$FILL_SECONDS"

# Reads over those users: an exact filter (index lookup), a `query` search and a substring
# filter of one field (the trigram index of state/search.rs), beside the small GET above.
log "filtered lists over $USERS_BIG users"
FILTER_URL="$MOCK_URL/v1/users?email_address=seed-5@example.com"
SEARCH_URL="$MOCK_URL/v1/users?query=seed-5&limit=10"
SUBSTRING_URL="$MOCK_URL/v1/users?email_address_query=load-0-4242&limit=10"
run_case filtered "clerk-mock GET /v1/users?email_address=… over $USERS_BIG users" "$FILTER_URL" scripts/wrk/auth.lua "$(status_of GET "$FILTER_URL")"
run_case search "clerk-mock GET /v1/users?query=…&limit=10 over $USERS_BIG users" "$SEARCH_URL" scripts/wrk/auth.lua "$(status_of GET "$SEARCH_URL")"
run_case substring "clerk-mock GET /v1/users?email_address_query=…&limit=10 over $USERS_BIG users" "$SUBSTRING_URL" scripts/wrk/auth.lua "$(status_of GET "$SUBSTRING_URL")"

run_case valid "clerk-mock POST /v1/users, valid body (new user each)" "$MOCK_URL/v1/users" scripts/wrk/post_user_valid.lua "$VALID_CODE"

# Token minting: RS256 session tokens for one session of a seeded user.
SEED_USER="$(curl -s -H "Authorization: Bearer $KEY" "$MOCK_URL/v1/users?email_address=seed-1@example.com" | sed -n 's/.*"id":"\(user_[A-Za-z0-9]*\)".*/\1/p' | head -n1)"
SESSION_ID="$(curl -s -X POST -H "Authorization: Bearer $KEY" -H 'Clerk-API-Version: 2025-11-10' -H 'Content-Type: application/json' \
  --data "{\"user_id\":\"$SEED_USER\"}" "$MOCK_URL/v1/sessions" | sed -n 's/.*"id":"\(sess_[A-Za-z0-9]*\)".*/\1/p' | head -n1)"
[ -n "$SESSION_ID" ] || die "could not create a session for $SEED_USER"
TOKEN_URL="$MOCK_URL/v1/sessions/$SESSION_ID/tokens"
TOKEN_CODE="$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $KEY" -H 'Clerk-API-Version: 2025-11-10' \
  -H 'Content-Type: application/json' --data '{}' "$TOKEN_URL")"
run_case tokens "clerk-mock POST /v1/sessions/{id}/tokens (RS256 mint)" "$TOKEN_URL" scripts/wrk/post_empty.lua "$TOKEN_CODE"

RSS_AFTER="$(rss_kib "$MOCK_PID" VmRSS)"
RSS_PEAK="$(rss_kib "$MOCK_PID" VmHWM)"
USERS_AFTER="$(users_count)"
stop "$MOCK_PID"

# --- many instances in one process -----------------------------------------------------
# A fresh clerk-mock; INSTANCES × USERS_PER_INSTANCE users created over HTTP, request i on the
# secret key sk_test_inst<i % INSTANCES> (so the first INSTANCES requests create the instances).
start clerk-mock-many "$MOCK" serve --port 0 --spec-dir "$SPEC_DIR"
MANY_PID="$STARTED_PID"; MANY_URL="$STARTED_URL"
RSS_MANY_IDLE="$(rss_kib "$MANY_PID" VmRSS)"
MANY_USERS=$((INSTANCES * USERS_PER_INSTANCE))
fill_users "$MANY_URL" "$MANY_USERS" "$INSTANCES" sk_test_inst
[ "$FILL_CREATED" = "$MANY_USERS" ] || die "many instances: $FILL_CREATED of $MANY_USERS creates answered 200"
RSS_MANY="$(rss_kib "$MANY_PID" VmRSS)"
MANY_SECONDS="$FILL_SECONDS"; MANY_RPS="$FILL_RPS"
# Each instance holds its initial data plus its share: check the first and the last.
MANY_FIRST="$(users_count "$MANY_URL" sk_test_inst0)"; MANY_LAST="$(users_count "$MANY_URL" "sk_test_inst$((INSTANCES - 1))")"
log "many instances: RSS $(mib "$RSS_MANY") MiB; users in the first and last instance: $MANY_FIRST, $MANY_LAST"

# Fresh instances in that process: the first request of a never-seen key, and the first
# session token of a fresh instance (scripts/bench_first.py), against the ceiling's floor.
log "first requests of $FIRST_KEYS fresh keys (scripts/bench_first.py)"
FIRST_JSON="$(python3 "$ROOT/scripts/bench_first.py" --url "$MANY_URL" --ceiling "$CEIL_URL" --keys "$FIRST_KEYS")" \
  || die "bench_first.py: $FIRST_JSON"
first() { python3 -c 'import json, sys; d = json.loads(sys.argv[1]); print(d[sys.argv[2]][sys.argv[3]])' "$FIRST_JSON" "$1" "$2"; }
INST_P50="$(first instance_ms p50)"; INST_P99="$(first instance_ms p99)"
TOK_P50="$(first token_ms p50)"; TOK_P99="$(first token_ms p99)"
FLOOR_P50="$(first ceiling_ms p50)"; FLOOR_P99="$(first ceiling_ms p99)"
RSS_MANY_AFTER="$(rss_kib "$MANY_PID" VmRSS)"
stop "$MANY_PID"
stop "$CEIL_PID"

# --- report ----------------------------------------------------------------------------
IFS='|' read -r _ CEIL_RPS CEIL_P50 CEIL_P99 _ <<<"${R[ceiling]}"
CPU="$(awk -F: '/model name/ {gsub(/^ +/, "", $2); print $2; exit}' /proc/cpuinfo)"
COMMIT="${MOCK_COMMIT:-$(git rev-parse --short HEAD 2>/dev/null || echo unknown)}"
DIRTY="$([ -z "${MOCK_COMMIT:-}" ] && git status --porcelain 2>/dev/null | grep -qv '^??' && echo ' (with uncommitted changes)' || true)"

report() {
  cat <<EOF
# Performance

Measured by \`scripts/bench.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'), clerk-mock commit \`$COMMIT\`$DIRTY.

Machine: $(nproc) CPUs ($CPU), $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo) RAM, Linux $(uname -r).
wrk and both servers share these CPUs over loopback; release builds; clerk-mock runs without
\`--validate-responses\`. Load: \`wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency\`, one case after the other,
with \`Authorization: Bearer $KEY\` (one instance: its initial data plus 10 users created through
\`POST /v1/users\`, $USERS_SEEDED users in all before the load). Load average (1, 5, 15 min) before the load: $LOADAVG.

The ceiling is \`examples/ceiling.rs\`: the same hyper 1 + tokio stack answering every request with a
fixed JSON body of $BODY_BYTES bytes, the size of clerk-mock's \`GET /v1/users?limit=10\` answer. Ratios are
clerk-mock's figure divided by the ceiling's (throughput: higher is better; latency: lower is better).

| case | status | req/s | p50 ms | p99 ms | req/s vs ceiling | p50 vs ceiling | p99 vs ceiling | non-2xx |
| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
EOF
  local k label rps p50 p99 non2xx total code sockerr
  for k in ceiling get invalid filtered search substring valid tokens; do
    IFS='|' read -r label rps p50 p99 non2xx total code sockerr <<<"${R[$k]}"
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s of %s |\n' "$label" "$code" "$rps" "$p50" "$p99" \
      "$(ratio "$rps" "$CEIL_RPS")" "$(ratio "$p50" "$CEIL_P50")" "$(ratio "$p99" "$CEIL_P99")" "$non2xx" "$total"
  done
  cat <<EOF

The filtered lists run over the bench instance after the fill below ($USERS_BIG users), before the
valid POST adds more; the search patterns match few users (\`query=seed-5\`: one; the substring
filter: up to 11), so the figures are the cost of finding them, not of rendering many.

## Issue 15's figures

| figure | value | target |
| --- | --- | --- |
| RSS idle after start-up, every spec loaded ($SPEC_COUNT documents in \`$(basename "$SPEC_DIR")\`) | $(mib "$RSS_IDLE") MiB | |
| start-up, spawn until the URL line, median of $STARTUP_RUNS | $STARTUP_MEDIAN ms (min $STARTUP_MIN, max $STARTUP_MAX) | |
| RSS with $N_USERS more users in one instance ($USERS_BIG in all) | $(mib "$RSS_FILLED") MiB (before them: $(mib "$RSS_BEFORE_FILL") MiB) | 100k users in < 400 MB |
| bytes per stored user: (RSS after − RSS before) / $N_USERS | $BYTES_PER_USER B | ≤ 3 KB |
| filling them: POST /v1/users, wall clock | $FILL1_RPS users/s ($FILL1_SECONDS s) | |
| search over $USERS_BIG users, \`query=…&limit=10\`, vs ceiling (req/s) | $(IFS='|' read -r _ rps _ <<<"${R[search]}"; ratio "$rps" "$CEIL_RPS") | ≥ 0.3 |
| substring filter over $USERS_BIG users, \`email_address_query=…&limit=10\`, vs ceiling (req/s) | $(IFS='|' read -r _ rps _ <<<"${R[substring]}"; ratio "$rps" "$CEIL_RPS") | ≥ 0.3 |
| valid POST /v1/users vs ceiling (req/s) | $(IFS='|' read -r _ rps _ <<<"${R[valid]}"; ratio "$rps" "$CEIL_RPS") | ≥ 0.35 |
| RS256 token minting, one session | $(IFS='|' read -r _ rps _ <<<"${R[tokens]}"; echo "$rps") tokens/s | ≥ 2× the run before |
| $INSTANCES instances × $USERS_PER_INSTANCE users in one process: RSS | $(mib "$RSS_MANY") MiB (idle before: $(mib "$RSS_MANY_IDLE") MiB; $(per $((RSS_MANY - RSS_MANY_IDLE)) "$INSTANCES") KiB per instance with its users, $(per $((RSS_MANY - RSS_MANY_IDLE)) "$MANY_USERS" 1024) B per user) | < 4 GB |
| filling them: POST /v1/users, wall clock | $MANY_RPS users/s ($MANY_SECONDS s); users in the first and last instance, initial data included: $MANY_FIRST, $MANY_LAST | |
| creating an instance: first request of a fresh key, p50 / p99 of $FIRST_KEYS | $INST_P50 / $INST_P99 ms ($(ratio "$INST_P50" "$FLOOR_P50") / $(ratio "$INST_P99" "$FLOOR_P99") × the ceiling's) | < 1 ms |
| a fresh instance's first session token, p50 / p99 of $FIRST_KEYS | $TOK_P50 / $TOK_P99 ms ($(ratio "$TOK_P50" "$FLOOR_P50") / $(ratio "$TOK_P99" "$FLOOR_P99") × the ceiling's) | < 20 ms |
| the ceiling's GET measured the same way (the client's floor), p50 / p99 | $FLOOR_P50 / $FLOOR_P99 ms | |
| RSS of the many-instances process after the fresh keys | $(mib "$RSS_MANY_AFTER") MiB | |
| RSS of the bench instance's process after all load ($USERS_AFTER users) | $(mib "$RSS_AFTER") MiB (peak $(mib "$RSS_PEAK") MiB) | |

How each figure is measured:

- **RSS** is \`VmRSS\` of \`/proc/PID/status\` (peak: \`VmHWM\`), read between loads. Idle: right after
  start-up, before any request. It counts what the allocator keeps, not only live objects; where
  the specs' share goes: \`cargo run --release --example spec_memory -- SPEC_FILES…\` (live heap per
  part of each loaded document).
- **Users are created over HTTP** (\`POST /v1/users\`, a new email, names, external id and public
  metadata each, no password) by \`scripts/wrk/create_users.lua\` with \`wrk -t$THREADS -c$CONNECTIONS\`, to an exact
  count (\`scripts/lib/fill.sh\` checks the 200s and \`GET /v1/users/count\`): the same request path and
  store code as every create, no import shortcut.
- **Bytes per user** is the RSS growth over that fill divided by the users it created, allocator
  overhead included.
- **Many instances**: a second, fresh server; create $INSTANCES × $USERS_PER_INSTANCE users with the
  keys \`sk_test_inst0…\` in turn, so the first $INSTANCES requests each create an instance
  (\`INSTANCES\`, \`USERS_PER_INSTANCE\` set the counts).
- **Fresh instances** (\`scripts/bench_first.py\`, in the many-instances process, $FIRST_KEYS keys each,
  sequential on one kept-alive connection): creating an instance is the time of the first request
  of a never-seen key (\`GET /v1/users?limit=10\`); the first token is, with another fresh key, the
  time of \`POST /v1/sessions/{id}/tokens\` after creating a user and a session (not timed). The
  ceiling's \`GET\` timed the same way is the floor of client and loopback.

The valid POST creates a user per request (email, names, external id, public metadata, no password,
so no password hashing is measured); the invalid POST sends \`first_name\` as a number and is answered
from the spec's request schema. The token case mints RS256 session tokens (2048-bit key) for one
session. A read of an unchanged list copies each object's rendering from the instance's render cache
(any write makes it stale). Socket errors reported by wrk: $(for k in ceiling get invalid filtered search substring valid tokens; do IFS='|' read -r label _ _ _ _ _ _ sockerr <<<"${R[$k]}"; printf '%s %s, ' "$k" "$sockerr"; done | sed 's/, $/./')

How to reproduce: \`bash scripts/bench.sh\` from the repository root, with Clerk's specs in \`../shared/clerk-openapi\`
(it installs wrk with apt-get if missing, builds release binaries, runs eight ${DURATION} loads, the fills, the fresh
keys and the start-up runs, and rewrites this file; then \`scripts/bench-webhooks.sh\` rewrites its section).
EOF
}

if [ "$OUT" = "-" ]; then
  report
else
  mkdir -p "$(dirname "$OUT")"
  # Keep the webhooks section (scripts/bench-webhooks.sh) when rewriting the file.
  KEPT="$(sed -n '/<!-- webhooks:begin/,/<!-- webhooks:end -->/p' "$OUT" 2>/dev/null || true)"
  { report; [ -z "$KEPT" ] || printf '\n%s\n' "$KEPT"; } | tee "$OUT"
  log "wrote $OUT"
fi

# The webhook figures: one endpoint's cost on POST /v1/users and a burst delivered in full.
if [ "${SKIP_WEBHOOKS:-0}" != 1 ]; then
  SKIP_BUILD="${SKIP_BUILD:-0}" OUT="$OUT" SPEC_DIR="$SPEC_DIR" DURATION="$DURATION" THREADS="$THREADS" \
    CONNECTIONS="$CONNECTIONS" bash "$ROOT/scripts/bench-webhooks.sh"
fi
