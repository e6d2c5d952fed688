# Process helpers shared by scripts/bench.sh and scripts/bench-webhooks.sh (sourced, not run).
# The caller defines TMP (a scratch dir), PIDS (an array of started pids, killed on exit) and die().
#
#   start NAME CMD...  starts CMD in the background and waits (60 s at most) for its first stdout
#                      line, a URL; sets STARTED_PID and STARTED_URL.
#   stop PID           stops a process start began and forgets it.
start() {
  local name="$1"; shift
  "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" &
  STARTED_PID=$!
  PIDS+=("$STARTED_PID")
  local i line
  for i in $(seq 1 600); do
    if [ -s "$TMP/$name.out" ]; then
      line="$(head -n1 "$TMP/$name.out")"
      case "$line" in http://*) STARTED_URL="$line"; return 0 ;; esac
    fi
    kill -0 "$STARTED_PID" 2>/dev/null || { cat "$TMP/$name.err" >&2; die "$name exited during start-up"; }
    sleep 0.1
  done
  die "$name printed no URL within 60 s"
}

stop() {
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
  local p keep=()
  for p in "${PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
  PIDS=("${keep[@]}")
}
