#!/usr/bin/env bash
# Runs the browser suite (tests/e2e/) once per clerk-js / @clerk/ui pair: the mock
# serves whichever bundles it is given (--frontend-bundles), so a pair is a
# node_modules directory made here with npm. Default pairs: the newest, and an
# older minor of the same majors. Prints one line per pair; exits 1 if any failed.
#
#   scripts/e2e-versions.sh                      # 6.40.0+1.36.0 and 6.34.1+1.34.0
#   scripts/e2e-versions.sh 6.32.1+1.32.3 ...    # other pairs
#
# Needs what the suite needs (scripts/install-browser.sh, scripts/install-examples.sh)
# and a built target/debug/clerk-mock (cargo build).
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PAIRS=("$@")
[ ${#PAIRS[@]} -gt 0 ] || PAIRS=(6.40.0+1.36.0 6.34.1+1.34.0)
failed=0
results=()
for pair in "${PAIRS[@]}"; do
  js="${pair%+*}" ui="${pair#*+}"
  dir="$ROOT/target/e2e-bundles/clerk-js-$js+ui-$ui"
  if [ ! -f "$dir/node_modules/@clerk/ui/package.json" ]; then
    mkdir -p "$dir"
    # @clerk/ui wants a @clerk/localizations newer than this registry may hold: pin one it has.
    printf '{"private":true,"dependencies":{"@clerk/clerk-js":"%s","@clerk/ui":"%s"},"overrides":{"@clerk/localizations":"4.18.0"}}\n' "$js" "$ui" >"$dir/package.json"
    (cd "$dir" && npm install --no-audit --no-fund --loglevel=error >/dev/null) || { results+=("$pair: npm install failed"); failed=1; continue; }
  fi
  echo "==== clerk-js $js + @clerk/ui $ui"
  if (cd "$ROOT/tests/e2e" && E2E_BUNDLES="$dir/node_modules" CLERK_MOCK_BIN="$ROOT/target/debug/clerk-mock" \
      E2E_ARTIFACTS="$ROOT/target/artifacts/e2e-versions/$pair" node node_modules/@playwright/test/cli.js test --reporter=line); then
    results+=("$pair: passed")
  else
    results+=("$pair: FAILED")
    failed=1
  fi
done
printf '%s\n' "${results[@]}"
exit $failed
