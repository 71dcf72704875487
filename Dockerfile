# syntax=docker/dockerfile:1
# Backprop in a container: the release build as it ships (scripts/build-release.sh: laid out by
# BOLT from a training run), run on Debian 12 slim with the Swift runtime libraries it links, the
# shared C libraries, and Debian's KaTeX for the playground's typesetting.
# Not a development image: no toolchain, no shell tools beyond Debian's essentials and curl.
#
#   docker build -t backprop:latest .
#   docker run --rm -p 8080:8080 backprop:latest
#   curl -s localhost:8080/healthz

# ---- build ------------------------------------------------------------------------------------
# The toolchain the project is developed with (Swift 6.3.1 on Debian 12 "bookworm"), so the build
# stage and the runtime stage share one glibc and one set of library versions.
FROM swift:6.3.1-bookworm AS build

# Headers and pkg-config files for the C libraries: libmicrohttpd (the CMicroHTTPD system-library
# target finds it through pkg-config), OpenBLAS, and mimalloc (the server's malloc, Package.swift);
# libjs-katex because scripts/install-deps.sh checks for it. For the BOLT layout: bolt-16 and
# patchelf, and python3 with curl for the training run, which replays the README's curl examples.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libmicrohttpd-dev libopenblas-dev libmimalloc-dev pkg-config \
        libjs-katex bolt-16 patchelf python3 curl \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /src

# The manifest alone first (and Package.resolved when the build context has one), so the
# dependency checkout is a layer of its own that source edits do not invalidate.
COPY Package.* ./
RUN swift package resolve

# SwiftPM loads every target the manifest names when it builds, test and benchmark targets
# included, so Tests/ and Benchmarks/ come along even though nothing in them is built into the image.
COPY Sources ./Sources
COPY Tests ./Tests
COPY Benchmarks ./Benchmarks
# Embedded into the binary at build time: Sources/BackpropAPI/Resources/openapi.yaml is a
# relative link to this file (COPY keeps links as links).
COPY openapi.yaml ./
# The build script, and what its training run needs: the README (its curl examples) and the
# scripts that start a server and replay them.
COPY scripts ./scripts
COPY README.md ./

# The Swift runtime is linked dynamically, not with --static-swift-stdlib: Debian's BOLT (16)
# crashes on a binary with the runtime linked in. The runtime's libraries (ldd's list of those under
# the toolchain's lib/swift/linux) go next to the binary, which finds them through its $ORIGIN runpath.
RUN server="$(scripts/build-release.sh)" \
    && mkdir -p /out \
    && cp "$server" /out/backprop-server \
    && ldd /out/backprop-server | awk '$3 ~ "/lib/swift/linux/" { print $3 }' | xargs -r cp -t /out/ \
    && ls /out

# ---- runtime ----------------------------------------------------------------------------------
FROM debian:bookworm-slim

# What the binary links dynamically besides glibc and the Swift runtime (copied from the build
# stage; checked with ldd on Debian 12): libgnutls.so.30 (libgnutls30: libmicrohttpd itself is
# linked in by scripts/build-release.sh, the TLS library it uses is not),
# libopenblas.so.0 (libopenblas0-pthread, brings libgfortran5; its postinst installs the
# libopenblas.so.0 alternative), libmimalloc.so.2 (libmimalloc2.0), libstdc++.so.6 and libgcc_s.so.1 (libstdc++6, libgcc-s1; already
# in the slim image because apt needs them, listed so the dependency is written down).
# curl is for HEALTHCHECK only: a real HTTP client that checks the status code and honours a
# timeout, for a few MB more (libcurl4 and its libraries). (bash's /dev/tcp would avoid it but cannot time out or parse a
# response properly; a --healthcheck mode in the server would test the binary, not the socket.)
# libjs-katex (with fonts-katex, 2 MB of files): the playground at GET / typesets the chain rule
# with it; the server reads it from /usr/share/javascript/katex, and without it the page shows text.
# The user has a fixed numeric id so Kubernetes' runAsNonRoot can verify it (deploy/kubernetes.yaml).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libgnutls30 libopenblas0-pthread libmimalloc2.0 libstdc++6 libgcc-s1 curl libjs-katex \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin backprop

WORKDIR /app
# The binary and the Swift runtime's libraries beside it (its runpath includes $ORIGIN).
COPY --from=build /out/ /app/
# The server serves the copy embedded at build time; this one is for people who `docker cp` it out.
COPY openapi.yaml /app/openapi.yaml

USER 10001:10001

# The server binds 127.0.0.1 by default, which inside a container is unreachable from outside it.
# Binding all interfaces here is on purpose: the container's network namespace is the boundary,
# and what reaches it is decided by `docker run -p` / the Kubernetes Service.
ENV BACKPROP_HOST=0.0.0.0 \
    BACKPROP_PORT=8080
EXPOSE 8080

# Shell form so that a BACKPROP_PORT given at `docker run -e` is honoured.
HEALTHCHECK --interval=15s --timeout=3s --start-period=5s --retries=3 \
    CMD curl -fsS --max-time 2 -o /dev/null "http://127.0.0.1:${BACKPROP_PORT:-8080}/healthz" || exit 1

# SIGTERM (docker stop) drains the requests in flight and exits 0; give it time with
# `docker stop -t 35` if requests can be long (the server waits up to 30 s by default).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/app/backprop-server"]
