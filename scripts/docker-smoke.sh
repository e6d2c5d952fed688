#!/usr/bin/env bash
# Builds the Dockerfile on this machine with no image registry, runs the image,
# and drives it with the official @clerk/backend SDK. Prints the image size and
# the start-up time (container start -> /__admin/health answers 200).
#
#   sudo bash scripts/docker-smoke.sh          # needs root (dockerd, debootstrap)
#
# What it does, since no registry is reachable here:
#   - installs docker.io and debootstrap from Debian's packages (apt-get) if missing;
#     starts dockerd if none is running, and stops it again at the end;
#   - makes the two base images the Dockerfile names by default from Debian's
#     packages: `debootstrap --variant=minbase bookworm` imported as the runtime
#     base (stand-in for debian:bookworm-slim), and the same plus gcc/libc6-dev
#     and this machine's rustup toolchain as the builder (stand-in for
#     rust:1-slim-bookworm; Debian's own rustc is older than the MSRV 1.89);
#   - vendors the crates on the host (`cargo vendor` into vendor/, git-ignored),
#     because cargo's registry is not reachable from inside a build container;
#   - builds twice: SPECS=none (specs mounted at /specs) and SPECS=fetch, whose
#     `clerk-mock spec fetch` downloads from a local HTTP server serving
#     ../shared/clerk-openapi (docker build --network host, loopback only);
#   - runs each image with -p 127.0.0.1:PORT:8787, waits for health, creates a
#     user and lists it with @clerk/backend (bash scripts/install-sdks.sh first),
#     checks the process is not root and Docker's HEALTHCHECK turns healthy;
#   - removes the containers and images it made (the debootstrap trees stay
#     cached in $SMOKE_WORK for the next run; delete it to start over).
#
# Env: SPECS_DIR (default ../shared/clerk-openapi), SMOKE_WORK (default
# /tmp/clerk-mock-docker-smoke), PORT (default 18787), KEEP_IMAGES=1 to keep the
# images, KEEP_BASE_IMAGES=1 to keep (and on the next run reuse) the two base
# images, so that an unchanged checkout rebuilds from Docker's layer cache in
# seconds instead of compiling again. SMOKE_ROOT: the checkout (default: this script's).
set -euo pipefail

ROOT="${SMOKE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
SPECS_DIR="$(cd "${SPECS_DIR:-$ROOT/../shared/clerk-openapi}" && pwd)"
WORK="${SMOKE_WORK:-/tmp/clerk-mock-docker-smoke}"
PORT="${PORT:-18787}"
TAG="clerk-mock-smoke-$$"
RUNTIME_BASE="clerk-mock-smoke/runtime-base:bookworm"
BUILDER_BASE="clerk-mock-smoke/rust-base:$(rustc --version | cut -d' ' -f2)"
IMAGE_PLAIN="$TAG/clerk-mock:plain"
IMAGE_BAKED="$TAG/clerk-mock:baked"
# Debian's client matches Debian's dockerd (its legacy builder needs no buildx plugin).
DOCKER="${DOCKER:-$( [ -x /usr/bin/docker ] && echo /usr/bin/docker || echo docker )}"
export DOCKER_BUILDKIT=0

log() { printf '[docker-smoke] %s\n' "$*"; }
die() { printf '[docker-smoke] FAILED: %s\n' "$*" >&2; exit 1; }
now_ms() { date +%s%3N; }

[ "$(id -u)" = 0 ] || die "run as root (dockerd and debootstrap need it)"
mkdir -p "$WORK"

# --- tools ----------------------------------------------------------------------------
if ! command -v dockerd >/dev/null || ! command -v debootstrap >/dev/null; then
  log "installing docker.io and debootstrap (apt-get)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker.io debootstrap >/dev/null
fi

STARTED_DOCKERD=""
CONTAINERS=()
IMAGES=()
HTTP_PID=""
VENDORED=""
cleanup() {
  set +e
  for c in "${CONTAINERS[@]}"; do "$DOCKER" rm -f "$c" >/dev/null 2>&1; done
  if [ -z "${KEEP_IMAGES:-}" ]; then
    for i in "${IMAGES[@]}"; do "$DOCKER" rmi -f "$i" >/dev/null 2>&1; done
    "$DOCKER" image prune -f >/dev/null 2>&1
  fi
  [ -n "$HTTP_PID" ] && kill "$HTTP_PID" 2>/dev/null
  [ -n "$VENDORED" ] && rm -rf "$ROOT/vendor"
  if [ -n "$STARTED_DOCKERD" ]; then
    log "stopping the dockerd this script started"
    kill "$STARTED_DOCKERD" 2>/dev/null
    wait "$STARTED_DOCKERD" 2>/dev/null
  fi
}
trap cleanup EXIT

if ! "$DOCKER" info >/dev/null 2>&1; then
  log "starting dockerd (log: $WORK/dockerd.log)"
  dockerd >"$WORK/dockerd.log" 2>&1 &
  STARTED_DOCKERD=$!
  for _ in $(seq 1 100); do "$DOCKER" info >/dev/null 2>&1 && break; sleep 0.2; done
  "$DOCKER" info >/dev/null 2>&1 || die "dockerd did not start (see $WORK/dockerd.log)"
fi

# --- base images from Debian's packages -----------------------------------------------
if [ ! -s "$WORK/runtime-rootfs.tar" ]; then
  log "debootstrap --variant=minbase bookworm (runtime base)"
  rm -rf "$WORK/runtime-rootfs"
  debootstrap --variant=minbase bookworm "$WORK/runtime-rootfs" http://deb.debian.org/debian >"$WORK/debootstrap-runtime.log" 2>&1 \
    || die "debootstrap failed (see $WORK/debootstrap-runtime.log)"
  # Slim like debian:bookworm-slim: no docs, manuals or translations.
  rm -rf "$WORK/runtime-rootfs/var/cache/apt/archives/"*.deb "$WORK/runtime-rootfs/var/lib/apt/lists/"* \
    "$WORK/runtime-rootfs/usr/share/"{doc,man,info,locale}/*
  tar -C "$WORK/runtime-rootfs" -cf "$WORK/runtime-rootfs.tar" .
fi
if [ ! -s "$WORK/builder-rootfs.tar" ]; then
  log "debootstrap --variant=minbase --include=gcc,libc6-dev,ca-certificates bookworm (builder base)"
  rm -rf "$WORK/builder-rootfs"
  debootstrap --variant=minbase --include=gcc,libc6-dev,ca-certificates bookworm "$WORK/builder-rootfs" http://deb.debian.org/debian \
    >"$WORK/debootstrap-builder.log" 2>&1 || die "debootstrap failed (see $WORK/debootstrap-builder.log)"
  rm -rf "$WORK/builder-rootfs/var/cache/apt/archives/"*.deb "$WORK/builder-rootfs/var/lib/apt/lists/"*
  tar -C "$WORK/builder-rootfs" -cf "$WORK/builder-rootfs.tar" .
fi
base_image() { # tag: reuse a kept one, else make it (and remove it at the end unless KEEP_BASE_IMAGES=1)
  if "$DOCKER" image inspect "$1" >/dev/null 2>&1; then log "reusing base image $1"; return 1; fi
  [ -n "${KEEP_BASE_IMAGES:-}" ] || IMAGES+=("$1")
}
if base_image "$RUNTIME_BASE"; then
  log "importing $RUNTIME_BASE"
  "$DOCKER" import "$WORK/runtime-rootfs.tar" "$RUNTIME_BASE" >/dev/null
fi
if base_image "$BUILDER_BASE"; then
  # The builder: the Debian tree plus cargo, rustc and the x86_64 std/linker files of the host toolchain.
  SYSROOT="$(rustc --print sysroot)"
  log "importing $BUILDER_BASE ($(rustc --version))"
  rm -rf "$WORK/toolchain" && mkdir -p "$WORK/toolchain/usr/local/rust/bin" "$WORK/toolchain/usr/local/rust/lib/rustlib" "$WORK/toolchain/usr/local/cargo/bin"
  cp -L "$SYSROOT/bin/cargo" "$SYSROOT/bin/rustc" "$WORK/toolchain/usr/local/rust/bin/"
  cp -L "$SYSROOT"/lib/*.so* "$WORK/toolchain/usr/local/rust/lib/"
  cp -rL "$SYSROOT/lib/rustlib/x86_64-unknown-linux-gnu" "$WORK/toolchain/usr/local/rust/lib/rustlib/"
  ln -s ../../rust/bin/cargo "$WORK/toolchain/usr/local/cargo/bin/cargo"
  ln -s ../../rust/bin/rustc "$WORK/toolchain/usr/local/cargo/bin/rustc"
  cp "$WORK/builder-rootfs.tar" "$WORK/builder.tar"
  tar -C "$WORK/toolchain" -rf "$WORK/builder.tar" ./usr/local/rust ./usr/local/cargo
  "$DOCKER" import --change 'ENV PATH=/usr/local/cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    "$WORK/builder.tar" "$BUILDER_BASE" >/dev/null
  rm -rf "$WORK/builder.tar" "$WORK/toolchain"
fi

# --- crates and a local spec source -----------------------------------------------------
if [ ! -d "$ROOT/vendor" ]; then
  log "cargo vendor (crates into the build context; git-ignored)"
  (cd "$ROOT" && cargo vendor --locked --quiet vendor >/dev/null)
  VENDORED=1
fi
# Clerk's repository layout (bapi/<version>.yml) over the local copies; JSON is YAML.
SOURCE_DIR="$WORK/spec-source"
rm -rf "$SOURCE_DIR" && mkdir -p "$SOURCE_DIR/bapi"
for f in "$SPECS_DIR"/bapi-*.json "$SPECS_DIR"/bapi-more/bapi-*.json; do
  [ -e "$f" ] || continue
  v="$(basename "$f" .json)"; v="${v#bapi-}"
  cp "$f" "$SOURCE_DIR/bapi/$v.yml"
done
mkdir -p "$SOURCE_DIR/webhooks"
cp "$SPECS_DIR"/webhooks/webhooks-2025-04-15.json "$SOURCE_DIR/webhooks/2025-04-15.yml"
SOURCE_PORT=$((PORT + 1))
python3 -m http.server --bind 127.0.0.1 --directory "$SOURCE_DIR" "$SOURCE_PORT" >"$WORK/spec-source.log" 2>&1 &
HTTP_PID=$!
sleep 0.5

# --- build -------------------------------------------------------------------------------
build() { # tag, extra args...
  local tag="$1"; shift
  local t0; t0=$(now_ms)
  "$DOCKER" build --network host --build-arg BUILDER_IMAGE="$BUILDER_BASE" --build-arg RUNTIME_IMAGE="$RUNTIME_BASE" \
    "$@" -t "$tag" "$ROOT" >"$WORK/build-$(echo "$tag" | tr '/:' '__').log" 2>&1 \
    || { tail -30 "$WORK/build-$(echo "$tag" | tr '/:' '__').log" >&2; die "docker build $tag"; }
  IMAGES+=("$tag")
  log "built $tag in $(( ($(now_ms) - t0) / 1000 )) s"
}
build "$IMAGE_PLAIN"
build "$IMAGE_BAKED" --build-arg SPECS=fetch --build-arg SPEC_SOURCE="http://127.0.0.1:$SOURCE_PORT"

# --- run and drive -------------------------------------------------------------------------
health_ok() { # a cheap probe: curl when there is one (a python3 start per probe would dominate the timing)
  if command -v curl >/dev/null; then curl -sf -o /dev/null --max-time 1 "$1"; return; fi
  python3 -c 'import sys, urllib.request; sys.exit(0 if urllib.request.urlopen(sys.argv[1], timeout=1).status == 200 else 1)' "$1" 2>/dev/null
}

run_and_drive() { # image, label, docker run args...
  local image="$1" label="$2"; shift 2
  local name="$TAG-$label"
  local t0; t0=$(now_ms)
  "$DOCKER" run -d --name "$name" -p "127.0.0.1:$PORT:8787" "$@" "$image" >/dev/null
  local created=$(( $(now_ms) - t0 ))
  CONTAINERS+=("$name")
  local up=""
  for _ in $(seq 1 500); do
    if health_ok "http://127.0.0.1:$PORT/__admin/health"; then up=1; break; fi
    sleep 0.01
  done
  [ -n "$up" ] || { "$DOCKER" logs "$name" >&2; die "$label: /__admin/health never answered"; }
  local startup=$(( $(now_ms) - t0 ))
  local uid; uid="$("$DOCKER" exec "$name" id -u)"
  [ "$uid" != 0 ] || die "$label: the server runs as root"
  local specs; specs="$(python3 -c 'import json,sys,urllib.request; h=json.load(urllib.request.urlopen(sys.argv[1])); print(" ".join(s["version"] for s in h["specs"]))' "http://127.0.0.1:$PORT/__admin/health")"
  (cd "$ROOT/tests/sdk/node" && CLERK_API_URL="http://127.0.0.1:$PORT" node --input-type=module -e '
    import { createClerkClient } from "@clerk/backend";
    const clerk = createClerkClient({ secretKey: "sk_test_docker_smoke_" + Date.now(), apiUrl: process.env.CLERK_API_URL });
    const email = `smoke-${Date.now()}@example.com`;
    const user = await clerk.users.createUser({ emailAddress: [email], password: "correct-horse-battery-staple" });
    const list = await clerk.users.getUserList({ emailAddress: [email] });
    if (list.totalCount !== 1 || list.data[0].id !== user.id) { console.error("listed", JSON.stringify(list)); process.exit(1); }
    console.log(`created ${user.id} and listed it`);
  ') || { "$DOCKER" logs "$name" >&2; die "$label: the @clerk/backend flow failed"; }
  local health=""
  for _ in $(seq 1 60); do
    health="$("$DOCKER" inspect --format '{{.State.Health.Status}}' "$name")"
    [ "$health" = healthy ] && break
    sleep 0.5
  done
  [ "$health" = healthy ] || die "$label: Docker's HEALTHCHECK says $health"
  # clerk-mock's own figure: process start -> listening (specs loaded and compiled).
  local own; own="$("$DOCKER" logs "$name" 2>&1 | sed 's/\x1b\[[0-9;]*m//g' | sed -n 's/.*startup_ms=\([0-9]*\).*/\1/p' | head -1)"
  log "$label: start-up ${startup} ms from docker run to health 200 (docker run -d itself ${created} ms; clerk-mock's own start-up ${own} ms); uid $uid; specs: $specs; HEALTHCHECK $health"
  "$DOCKER" rm -f "$name" >/dev/null
}

[ -d "$ROOT/tests/sdk/node/node_modules/@clerk/backend" ] || die "@clerk/backend is not installed: bash scripts/install-sdks.sh"
run_and_drive "$IMAGE_PLAIN" mounted -v "$SPECS_DIR:/specs:ro"
run_and_drive "$IMAGE_BAKED" baked

# Start-up again, a few times (the first run above also paid for cold caches).
starts=()
for i in $(seq 1 "${STARTS:-5}"); do
  t0=$(now_ms)
  "$DOCKER" run -d --name "$TAG-start$i" -p "127.0.0.1:$PORT:8787" "$IMAGE_BAKED" >/dev/null
  CONTAINERS+=("$TAG-start$i")
  until health_ok "http://127.0.0.1:$PORT/__admin/health"; do sleep 0.01; done
  starts+=($(( $(now_ms) - t0 )))
  "$DOCKER" rm -f "$TAG-start$i" >/dev/null
done
log "baked image, docker run -> health 200 over ${#starts[@]} starts: $(printf '%s\n' "${starts[@]}" | sort -n | tr '\n' ' ')ms (load average $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs)"

size_of() { "$DOCKER" image inspect --format '{{.Size}}' "$1"; }
log "image sizes: plain $(( $(size_of "$IMAGE_PLAIN") / 1000000 )) MB, baked $(( $(size_of "$IMAGE_BAKED") / 1000000 )) MB, runtime base $(( $(size_of "$RUNTIME_BASE") / 1000000 )) MB"
log "OK"
