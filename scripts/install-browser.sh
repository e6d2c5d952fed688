#!/usr/bin/env bash
# Installs what tests/dashboard.rs needs to drive the dashboard in a real browser:
#   - Debian's Chromium (/usr/bin/chromium) with apt-get, when missing (needs root)
#   - playwright-core (npm, pinned) into tests/browser/node_modules, from the committed package-lock.json
# Playwright's own browser downloads are never used: the test launches /usr/bin/chromium
# (or $CLERK_MOCK_CHROMIUM). Idempotent: does nothing when both are already there.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="$ROOT/tests/browser"
CHROMIUM="${CLERK_MOCK_CHROMIUM:-/usr/bin/chromium}"

log() { printf '[install-browser] %s\n' "$*"; }
die() { printf '[install-browser] error: %s\n' "$*" >&2; exit 1; }

if [ -x "$CHROMIUM" ]; then
  log "chromium already installed: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  log "installing Debian's chromium with apt-get"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null
  [ -x "$CHROMIUM" ] || die "apt-get installed chromium but $CHROMIUM is missing"
else
  die "$CHROMIUM is missing; install Debian's chromium package (apt-get install chromium) or set CLERK_MOCK_CHROMIUM"
fi

command -v node >/dev/null || die "node is not on PATH (node >= 20 needed)"
want="$(node -p "require('$DIR/package.json').dependencies['playwright-core']")"
have="$(node -p "try { require('$DIR/node_modules/playwright-core/package.json').version } catch { '' }")"
if [ "$have" = "$want" ] && [ "$DIR/node_modules/.package-lock.json" -nt "$DIR/package-lock.json" ]; then
  log "playwright-core $have already installed"
else
  log "installing playwright-core $want (npm ci in tests/browser)"
  # No browser download: only playwright-core's JavaScript is needed.
  (cd "$DIR" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
fi
