#!/usr/bin/env bash
# RelayDesk build entry point.
#   ./build.sh run   [ARGS...]  install missing Debian packages, build Release, start the console
#   ./build.sh test             install missing Debian packages, build Release, run every test (CTest)
#   ./build.sh build            install missing Debian packages and build only
#   ./build.sh package          build, then the Debian package: $BUILD_DIR/package/relaydesk_<version>_<arch>.deb
# Environment: BUILD_DIR (default build), JOBS (default nproc), RELAYDESK_NO_APT=1 skips package checks.
set -euo pipefail
cd "$(dirname "$0")"

BUILD_DIR=${BUILD_DIR:-build}
JOBS=${JOBS:-$(nproc)}

# Debian 12 packages (see ../shared/reference/qt-platform.md for the traps: Charts needs
# libqt6opengl6-dev, LinguistTools needs both qt6-tools-dev and qt6-l10n-tools).
PACKAGES=(
    g++ cmake ninja-build pkg-config ccache
    qt6-base-dev libqt6opengl6-dev qt6-websockets-dev qt6-charts-dev qt6-tools-dev qt6-l10n-tools
    libqt6sql6-sqlite libqt6sql6-psql libpq-dev libsqlite3-dev
    libhttp-parser-dev openssl libgmp-dev libssl-dev libcurl4-openssl-dev
    libsimdjson-dev  # the relay's JSON bodies (FastJson)
    libmimalloc-dev  # the executables' malloc (CMakeLists.txt: relaydesk_use_mimalloc)
    libavformat-dev libavcodec-dev libavutil-dev  # audio durations (MediaDuration), the demo's speech encoding
    nodejs npm
    xvfb xauth fonts-wqy-microhei
)
PACKAGE_PACKAGES=(dpkg-dev)  # dpkg-shlibdeps: the .deb's library dependencies (packaging/CMakeLists.txt)
TEST_PACKAGES=(postgresql curl
    "${PACKAGE_PACKAGES[@]}" lintian desktop-file-utils appstream systemd  # the .deb's checks (tst_debpackage)
    prometheus  # promtool: /metrics must pass `promtool check metrics` (tst_metricsendpoint)
    clang libclang-rt-14-dev  # libFuzzer + ASan/UBSan runtime for the relay fuzz test (tools/fuzz)
)

log() { printf '\033[1m[build.sh]\033[0m %s\n' "$*" >&2; }

ensure_packages() {
    [[ "${RELAYDESK_NO_APT:-}" == 1 ]] && return 0
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    # A machine may already have these tools from elsewhere (e.g. node from nodesource).
    if command -v node >/dev/null && command -v npm >/dev/null; then
        missing=("${missing[@]/nodejs}"); missing=("${missing[@]/npm}")
    fi
    local filtered=()
    for p in "${missing[@]}"; do [[ -n "$p" ]] && filtered+=("$p"); done
    ((${#filtered[@]} == 0)) && return 0
    if [[ $(id -u) -ne 0 ]]; then
        log "missing packages: ${filtered[*]} (run as root, or install them yourself)"
        exit 1
    fi
    log "installing: ${filtered[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${filtered[@]}"
}

configure_and_build() {
    local launcher=()
    command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
    if [[ ! -f "$BUILD_DIR/build.ninja" ]]; then
        cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release "${launcher[@]}"
    fi
    cmake --build "$BUILD_DIR" -j "$JOBS"
}

cmd=${1:-run}
shift || true
case "$cmd" in
    run)
        ensure_packages "${PACKAGES[@]}"
        configure_and_build
        log "starting the console: $BUILD_DIR/bin/relaydesk $*"
        exec "$BUILD_DIR/bin/relaydesk" "$@"
        ;;
    test)
        ensure_packages "${PACKAGES[@]}" "${TEST_PACKAGES[@]}"
        configure_and_build
        # Each test carries its own TIMEOUT (tests/CMakeLists.txt); `ctest -LE slow` is the quick loop.
        ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$JOBS"
        ;;
    build)
        ensure_packages "${PACKAGES[@]}"
        configure_and_build
        ;;
    package)
        ensure_packages "${PACKAGES[@]}" "${PACKAGE_PACKAGES[@]}"
        configure_and_build
        # Stages the built tree (no second build); the version is project(VERSION) in CMakeLists.txt.
        cpack --config "$BUILD_DIR/CPackConfig.cmake" -B "$BUILD_DIR/package"
        log "package: $(ls -t "$BUILD_DIR"/package/relaydesk_*.deb | head -n1)"
        ;;
    *)
        echo "usage: $0 run [ARGS...] | test | build | package" >&2
        exit 2
        ;;
esac
