#!/usr/bin/env bash
# Installs and builds what the browser suite (tests/e2e.rs → tests/e2e/) runs:
#   - the three example apps' packages (npm ci from their committed lockfiles)
#   - the Next.js production build and the Vite build (their public env is inlined
#     at build time, so they are built with the suite's publishable key and proxy URL)
#   - @playwright/test and @clerk/testing for the suite itself
# Browser: Debian's Chromium, from scripts/install-browser.sh. Idempotent enough
# for a rerun: npm ci is skipped when node_modules is newer than the lockfile.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
log() { printf '[install-examples] %s\n' "$*"; }

PK='pk_test_Y2xlcmsubW9jay5sb2NhbGhvc3Qk' # the mock's default frontend host, clerk.mock.localhost

npm_ci() {
  local dir="$1"
  if [ -d "$dir/node_modules" ] && [ "$dir/node_modules/.package-lock.json" -nt "$dir/package-lock.json" ]; then
    log "$(basename "$dir"): packages already installed"
  else
    log "$(basename "$dir"): npm ci"
    (cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
  fi
}

for dir in examples/express examples/nextjs examples/react-vite tests/e2e; do
  npm_ci "$ROOT/$dir"
done

log "nextjs: next build"
(cd "$ROOT/examples/nextjs" && NEXT_TELEMETRY_DISABLED=1 \
  NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY="$PK" NEXT_PUBLIC_CLERK_PROXY_URL=/__clerk \
  NEXT_PUBLIC_CLERK_SIGN_IN_URL=/sign-in NEXT_PUBLIC_CLERK_SIGN_UP_URL=/sign-up \
  NEXT_PUBLIC_CLERK_TELEMETRY_DISABLED=1 CLERK_SECRET_KEY=sk_test_build \
  npx next build >/tmp/clerk-mock-next-build.log 2>&1) || { tail -40 /tmp/clerk-mock-next-build.log; exit 1; }

log "react-vite: vite build"
(cd "$ROOT/examples/react-vite" && VITE_CLERK_PUBLISHABLE_KEY="$PK" npx vite build --logLevel warn)
log "done"
