#!/usr/bin/env bash
# Installs the official Clerk SDKs that tests/sdk.rs drives against clerk-mock:
#   - @clerk/backend, @clerk/clerk-sdk-node 5.x and svix (npm) into tests/sdk/node/node_modules,
#     from the committed package-lock.json
#   - clerk-backend-api and svix (PyPI) into the virtualenv .sdk/venv, from tests/sdk/python/requirements.txt
# Idempotent: does nothing when the pinned versions are already installed.
# Needs node >= 20 with npm, and python3 >= 3.10 with venv.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NODE_DIR="$ROOT/tests/sdk/node"
PY_REQS="$ROOT/tests/sdk/python/requirements.txt"
VENV="$ROOT/.sdk/venv"
PYTHON="${PYTHON:-python3}"

log() { printf '[install-sdks] %s\n' "$*"; }
die() { printf '[install-sdks] error: %s\n' "$*" >&2; exit 1; }

# --- Node: @clerk/backend, @clerk/clerk-sdk-node ---------------------------------------
command -v node >/dev/null || die "node is not on PATH (node >= 20 needed)"
command -v npm >/dev/null || die "npm is not on PATH"
node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" -ge 20 ] || die "node >= 20 needed, found $(node --version)"

# Every direct dependency at its pinned version, "name@version" joined by spaces.
pinned() { node -p "Object.entries(require('$NODE_DIR/package.json').dependencies).map(([n, v]) => n + '@' + v).join(' ')"; }
installed() { node -p "Object.keys(require('$NODE_DIR/package.json').dependencies).map((n) => { try { return n + '@' + require('$NODE_DIR/node_modules/' + n + '/package.json').version } catch { return n + '@' } }).join(' ')"; }
want_node="$(pinned)"
have_node="$(installed)"
if [ "$have_node" = "$want_node" ] && [ "$NODE_DIR/node_modules/.package-lock.json" -nt "$NODE_DIR/package-lock.json" ]; then
  log "$have_node already installed"
else
  log "installing $want_node (npm ci in tests/sdk/node)"
  (cd "$NODE_DIR" && npm ci --no-audit --no-fund --loglevel=error)
fi

# --- Python: clerk-backend-api --------------------------------------------------------
want_py="$(sed -n 's/^clerk-backend-api==\(.*\)$/\1/p' "$PY_REQS")"
[ -n "$want_py" ] || die "no clerk-backend-api pin in $PY_REQS"
want_svix="$(sed -n 's/^svix==\(.*\)$/\1/p' "$PY_REQS")"
have_py=""
have_svix=""
if [ -x "$VENV/bin/python" ]; then
  have_py="$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("clerk-backend-api"))' 2>/dev/null || true)"
  have_svix="$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("svix"))' 2>/dev/null || true)"
fi
if [ "$have_py" = "$want_py" ] && [ "$have_svix" = "$want_svix" ]; then
  log "clerk-backend-api $have_py already installed in .sdk/venv"
else
  command -v "$PYTHON" >/dev/null || die "$PYTHON is not on PATH (python >= 3.10 needed)"
  if [ ! -x "$VENV/bin/pip" ]; then
    rm -rf "$VENV"
    if ! "$PYTHON" -m venv "$VENV" 2>/dev/null; then
      # Debian's python3 ships venv/ensurepip separately.
      rm -rf "$VENV"
      if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        pyver="$("$PYTHON" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
        log "python venv module missing: installing python${pyver}-venv with apt-get"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "python${pyver}-venv" >/dev/null
        "$PYTHON" -m venv "$VENV"
      else
        die "'$PYTHON -m venv' failed; install your distribution's python3-venv package"
      fi
    fi
  fi
  log "installing clerk-backend-api $want_py and svix $want_svix into .sdk/venv"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$PY_REQS"
fi

log "ok: node $(node --version), $want_node; $("$VENV/bin/python" --version), clerk-backend-api $want_py, svix $want_svix"
