# clerk-mock as a container: a build stage compiles the release binary, a
# small runtime stage runs it as a non-root user.
#
#   docker build -t clerk-mock .                          # specs mounted at run time
#   docker run --rm -p 127.0.0.1:8787:8787 -v /path/to/clerk-specs:/specs:ro clerk-mock
#
#   docker build -t clerk-mock --build-arg SPECS=fetch .  # Clerk's default specs baked in
#   docker run --rm -p 127.0.0.1:8787:8787 clerk-mock
#
# Inside the container clerk-mock listens on 0.0.0.0 (CLERK_MOCK_HOST): the one
# place where binding beyond loopback is the default, because a published port
# only reaches a container through its network interface. Publish it on
# 127.0.0.1 (as above) to keep it local. Every flag is also an env var
# (CLERK_MOCK_SEED, CLERK_MOCK_SCENARIO, CLERK_MOCK_ADMIN_TOKEN, …; see
# `docker run --rm clerk-mock --help`), and arguments after the image name are
# clerk-mock's flags.
#
# Build arguments:
#   BUILDER_IMAGE  a Rust >= 1.89 image with a C toolchain (default rust:1-slim-bookworm)
#   RUNTIME_IMAGE  a glibc Debian-like base (default debian:bookworm-slim)
#   SPECS          none (default): /specs is empty, mount Clerk's specs there;
#                  fetch: `clerk-mock spec fetch` bakes the default set into /specs
#   SPEC_SOURCE    where `fetch` downloads from (default: Clerk's openapi-specs repository)
# A vendor/ dir in the build context (`cargo vendor`) builds without crates.io.

ARG BUILDER_IMAGE=rust:1-slim-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

FROM ${BUILDER_IMAGE} AS build
WORKDIR /src
COPY . .
RUN if [ -d vendor ]; then \
      mkdir -p .cargo && printf '[source.crates-io]\nreplace-with = "vendored"\n\n[source.vendored]\ndirectory = "vendor"\n' > .cargo/config.toml; \
    fi \
 && CARGO_PROFILE_RELEASE_STRIP=symbols cargo build --release --locked --bin clerk-mock \
 && cp target/release/clerk-mock /usr/local/bin/clerk-mock \
 && rm -rf target

ARG SPECS=none
ARG SPEC_SOURCE=https://raw.githubusercontent.com/clerk/openapi-specs/main
RUN mkdir -p /out/specs \
 && case "$SPECS" in \
      none) ;; \
      fetch) clerk-mock spec fetch --from "$SPEC_SOURCE" --dir /tmp/fetched && cp -R /tmp/fetched/. /out/specs/ ;; \
      *) echo "SPECS must be none or fetch, not $SPECS" >&2; exit 1 ;; \
    esac

FROM ${RUNTIME_IMAGE}
RUN useradd --system --uid 10001 --user-group --home-dir /home/clerk-mock --create-home clerk-mock
COPY --from=build /usr/local/bin/clerk-mock /usr/local/bin/clerk-mock
COPY --from=build --chown=10001:10001 /out/specs/ /specs/
USER 10001:10001
ENV CLERK_MOCK_HOST=0.0.0.0 \
    CLERK_MOCK_PORT=8787 \
    CLERK_MOCK_SPEC_DIR=/specs
EXPOSE 8787
# `clerk-mock health` GETs /__admin/health on loopback (the slim base has no curl).
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=3 CMD ["clerk-mock", "health"]
ENTRYPOINT ["clerk-mock"]
