# Filling a server with an exact number of users over HTTP (sourced by scripts/bench.sh).
# The caller defines TMP, THREADS, CONNECTIONS, log() and die().
#
#   fill_users URL N INSTANCES KEY
#
# Runs wrk with scripts/wrk/create_users.lua: N users created with POST /v1/users, spread in
# turn over INSTANCES secret keys (KEY itself when INSTANCES is 1, else KEY0 … KEY<INSTANCES-1>).
# wrk only ends when its duration is over, so this waits for every wrk thread to report its
# share done and then stops wrk with SIGINT. Sets FILL_CREATED (answered 200), FILL_FAILED
# (answered anything else), FILL_SECONDS and FILL_RPS (creates per second, wall clock).
# FILL_TIMEOUT (default 1200 s) bounds the run.
fill_users() {
  local url="$1" n="$2" instances="$3" key="$4"
  local marker="$TMP/fill.$RANDOM." out="$TMP/fill.wrk" timeout="${FILL_TIMEOUT:-1200}"
  local t0 t1 pid i files
  log "creating $n users over $instances instance(s): wrk -t$THREADS -c$CONNECTIONS create_users.lua"
  t0="$(date +%s%N)"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${timeout}s" -s "$ROOT/scripts/wrk/create_users.lua" "$url" \
    -- "$n" "$instances" "$key" "$THREADS" "$marker" >"$out" 2>&1 &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    files=0
    for i in $(seq 0 $((THREADS - 1))); do [ -s "$marker$i" ] && files=$((files + 1)); done
    [ "$files" -lt "$THREADS" ] || break
    sleep 0.2
  done
  t1="$(date +%s%N)"
  kill -INT "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  FILL_CREATED=0; FILL_FAILED=0
  for i in $(seq 0 $((THREADS - 1))); do
    [ -s "$marker$i" ] || { cat "$out" >&2; die "wrk thread $i did not finish its creates within ${timeout}s"; }
    read -r c f <"$marker$i"
    FILL_CREATED=$((FILL_CREATED + c)); FILL_FAILED=$((FILL_FAILED + f))
  done
  FILL_SECONDS="$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", (b - a) / 1e9}')"
  FILL_RPS="$(awk -v n="$FILL_CREATED" -v s="$FILL_SECONDS" 'BEGIN {if (s > 0) printf "%.0f", n / s; else print "n/a"}')"
  log "created $FILL_CREATED users ($FILL_FAILED failed) in $FILL_SECONDS s ($FILL_RPS/s)"
  [ "$FILL_FAILED" = 0 ] || log "warning: $FILL_FAILED creates did not answer 200"
}
