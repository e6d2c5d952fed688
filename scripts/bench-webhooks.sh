#!/usr/bin/env bash
# Webhook benchmark: what one registered endpoint costs the API, and a burst delivered in full.
#
#   bash scripts/bench-webhooks.sh     # prints the section and writes it into docs/performance.md
#
# 1. POST /v1/users throughput (wrk, new user per request) against a fresh clerk-mock without an
#    endpoint and one with `--webhook-url` pointing at examples/webhook_receiver.rs (a receiver that
#    verifies every signature), alternating ROUNDS times; the ratio is with / without.
# 2. A burst of BURST creates (8 client threads) against a fresh instance whose endpoint is the
#    receiver: every user.created must arrive exactly once, in creation order, with a valid signature.
# Env: SPEC_DIR (../shared/clerk-openapi), DURATION (10s), THREADS (2), CONNECTIONS (32), ROUNDS (2),
#      BURST (10000), OUT (docs/performance.md; "-" for stdout only), SKIP_BUILD (0).
# Loopback only; the servers it starts are stopped at exit.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SPEC_DIR="${SPEC_DIR:-../shared/clerk-openapi}"
DURATION="${DURATION:-10s}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-32}"
ROUNDS="${ROUNDS:-2}"
BURST="${BURST:-10000}"
OUT="${OUT:-docs/performance.md}"
SECRET="whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
MOCK="$ROOT/target/release/clerk-mock"
RECEIVER="$ROOT/target/release/examples/webhook_receiver"

log() { printf '[bench-webhooks] %s\n' "$*" >&2; }
die() { printf '[bench-webhooks] error: %s\n' "$*" >&2; exit 1; }

[ -d "$SPEC_DIR" ] || die "spec dir $SPEC_DIR not found (set SPEC_DIR)"
SPEC_DIR="$(cd "$SPEC_DIR" && pwd)"
ls "$SPEC_DIR"/webhooks/*.json >/dev/null 2>&1 || die "no webhooks spec in $SPEC_DIR/webhooks/"
command -v wrk >/dev/null || die "wrk is not installed (scripts/bench.sh installs it)"
TMP="$(mktemp -d)"
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT

if [ "${SKIP_BUILD:-0}" = 1 ]; then
  log "SKIP_BUILD=1: using the release binaries already built"
else
  log "building release binaries"
  cargo build --release --bin clerk-mock --example webhook_receiver >&2
fi
[ -x "$MOCK" ] && [ -x "$RECEIVER" ] || die "release binaries missing: $MOCK, $RECEIVER"

# start NAME CMD... / stop PID (scripts/lib/processes.sh)
. "$ROOT/scripts/lib/processes.sh"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
admin() { curl -s -X "$1" -H "Authorization: Bearer sk_test_bench" -H 'Content-Type: application/json' "$2"; }

start receiver "$RECEIVER" --secret "$SECRET"
RECV_URL="$STARTED_URL"
log "receiver at $RECV_URL"

LOADAVG="$(cut -d' ' -f1-3 /proc/loadavg)"
declare -a WITHOUT WITH OFF
DRAIN=()
# Webhooks off: the same BAPI specs without the webhooks catalogue beside them.
mkdir -p "$TMP/specs-off"
for f in "$SPEC_DIR"/*.json; do ln -s "$f" "$TMP/specs-off/"; done
for round in $(seq 1 "$ROUNDS"); do
  for mode in off without with; do
    extra=()
    dir="$SPEC_DIR"
    [ "$mode" = with ] && extra=(--webhook-url "$RECV_URL" --webhook-secret "$SECRET")
    [ "$mode" = off ] && dir="$TMP/specs-off"
    start "mock-$mode-$round" "$MOCK" serve --port 0 --spec-dir "$dir" --no-fixtures "${extra[@]}"
    pid="$STARTED_PID"; url="$STARTED_URL"
    log "round $round, $mode endpoint: wrk -t$THREADS -c$CONNECTIONS -d$DURATION POST /v1/users"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -s scripts/wrk/post_user_valid.lua "$url/v1/users" >"$TMP/$mode-$round.wrk"
    rps="$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$TMP/$mode-$round.wrk")"
    non2xx="$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$TMP/$mode-$round.wrk")"
    [ -z "$non2xx" ] || log "warning: $non2xx non-2xx answers in round $round ($mode)"
    if [ "$mode" = with ]; then
      WITH+=("$rps")
      t0="$(date +%s%N)"
      admin POST "$url/__admin/webhooks/flush?timeout_ms=600000" >/dev/null
      t1="$(date +%s%N)"
      failed="$(curl -s "$url/__admin/webhooks/deliveries?status=failed&limit=0" | sed -n 's/.*"total_count":\([0-9]*\).*/\1/p')"
      events="$(curl -s "$url/__admin/webhooks/events?limit=0" | sed -n 's/.*"total_count":\([0-9]*\).*/\1/p')"
      DRAIN+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", (b - a) / 1e9}') s after the load, $failed failed, $events events in the log (it keeps the last 10,000)")
    elif [ "$mode" = off ]; then
      OFF+=("$rps")
    else
      WITHOUT+=("$rps")
    fi
    stop "$pid"
  done
done

log "burst: $BURST creates against a fresh instance with the receiver as its endpoint"
start mock-burst "$MOCK" serve --port 0 --spec-dir "$SPEC_DIR" --no-fixtures
BURST_PID="$STARTED_PID"; BURST_URL="$STARTED_URL"
# The burst receiver is a second receiver process that also drives the creates.
BURST_JSON="$("$RECEIVER" --secret "$SECRET" --burst "$BURST" --mock "$BURST_URL")"
stop "$BURST_PID"
field() { printf '%s' "$BURST_JSON" | sed -n "s/.*\"$1\":\([^,}]*\).*/\1/p"; }

sum() { printf '%s\n' "$@" | awk '{s += $1} END {printf "%.0f", s / NR}'; }
MEAN_WITHOUT="$(sum "${WITHOUT[@]}")"
MEAN_WITH="$(sum "${WITH[@]}")"
MEAN_OFF="$(sum "${OFF[@]}")"
COMMIT="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"

section() {
  cat <<EOF
<!-- webhooks:begin (scripts/bench-webhooks.sh rewrites this section) -->
## Webhooks

Measured by \`scripts/bench-webhooks.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'), commit \`$COMMIT\`, same machine
($(nproc) CPUs, shared by wrk, clerk-mock and the receiver). Load average before: $LOADAVG.
\`POST /v1/users\` (new user each, \`wrk -t$THREADS -c$CONNECTIONS -d$DURATION\`) against a fresh release
clerk-mock: with the webhooks spec loaded, without an endpoint (events are still built and logged) and
with one \`--webhook-url\` endpoint (\`examples/webhook_receiver.rs\`, which checks every signature);
and, for reference, webhooks off (no catalogue). Alternating, $ROUNDS rounds each.

| round | webhooks off, req/s | without an endpoint, req/s | with one endpoint, req/s | with / without | without / off |
| ---: | ---: | ---: | ---: | ---: | ---: |
EOF
  local i
  for i in $(seq 0 $((ROUNDS - 1))); do
    printf '| %s | %s | %s | %s | %s | %s |\n' "$((i + 1))" "${OFF[$i]}" "${WITHOUT[$i]}" "${WITH[$i]}" \
      "$(ratio "${WITH[$i]}" "${WITHOUT[$i]}")" "$(ratio "${WITHOUT[$i]}" "${OFF[$i]}")"
  done
  printf '| mean | %s | %s | %s | **%s** | %s |\n' "$MEAN_OFF" "$MEAN_WITHOUT" "$MEAN_WITH" \
    "$(ratio "$MEAN_WITH" "$MEAN_WITHOUT")" "$(ratio "$MEAN_WITHOUT" "$MEAN_OFF")"
  cat <<EOF

Deliveries run on the server's own runtime, off the request path; the queue drained
$(printf '%s; ' "${DRAIN[@]}" | sed 's/; $//').

Burst: $(field created) users created with 8 client threads ($(field create_seconds) s), then
\`POST /__admin/webhooks/flush\` ($(field flush_status)); everything delivered $(field create_to_all_delivered_seconds) s after the first create.

| burst check | result |
| --- | --- |
| user.created events received | $(field user_created_events) of $(field created) |
| distinct svix-id values | $(field distinct_svix_ids) |
| the created users, each exactly once | $(field same_users_as_created) |
| in creation order (strictly increasing \`created_at\`) | $(field in_order) |
| invalid signatures | $(field bad_signatures) |

Raw: \`$BURST_JSON\`
<!-- webhooks:end -->
EOF
}

if [ "$OUT" = "-" ]; then
  section
else
  section >"$TMP/section.md"
  if grep -q '<!-- webhooks:begin' "$OUT" 2>/dev/null; then
    awk -v f="$TMP/section.md" '
      /<!-- webhooks:begin/ { while ((getline l < f) > 0) print l; skip = 1; next }
      /<!-- webhooks:end -->/ { skip = 0; next }
      !skip { print }' "$OUT" >"$TMP/out.md"
  else
    { cat "$OUT"; echo; cat "$TMP/section.md"; } >"$TMP/out.md"
  fi
  cp "$TMP/out.md" "$OUT"
  cat "$TMP/section.md"
  log "wrote the webhooks section of $OUT"
fi
