#!/usr/bin/env bash
# Builds libFuzzer targets with clang++ (ASan + UBSan) and runs each for a bounded time.
#   tools/fuzz/run_fuzz.sh TARGET[,TARGET...] WORK_DIR SECONDS_PER_TARGET
# Exit 0: no crash; 77: skipped (no clang++ with libFuzzer here; Debian: clang, libclang-rt-14-dev);
# anything else: build failure or a crash (the reproducer is left in WORK_DIR/<target>/artifacts).
set -euo pipefail
TARGETS=${1:?targets}
WORK=${2:?work dir}
SECONDS_TO_RUN=${3:-20}
HERE=$(cd "$(dirname "$0")" && pwd -P) # physical: the fuzz project finds core/ relative to it
SKIP=77

CXX_BIN=$(command -v clang++ || command -v clang++-14 || true)
if [[ -z "$CXX_BIN" ]]; then
    echo "SKIP: clang++ not installed (Debian: clang libclang-rt-14-dev)"
    exit $SKIP
fi
mkdir -p "$WORK/probe"
printf '%s\n' '#include <cstdint>' '#include <cstddef>' \
    'extern "C" int LLVMFuzzerTestOneInput(const uint8_t *, size_t) { return 0; }' >"$WORK/probe/p.cpp"
if ! "$CXX_BIN" -fsanitize=fuzzer,address,undefined "$WORK/probe/p.cpp" -o "$WORK/probe/p" 2>"$WORK/probe/log"; then
    echo "SKIP: $CXX_BIN cannot link -fsanitize=fuzzer (Debian: libclang-rt-14-dev):"
    cat "$WORK/probe/log"
    exit $SKIP
fi

cmake -S "$HERE" -B "$WORK/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER="$CXX_BIN" \
    -DRELAYDESK_BUILD_DIR="${RELAYDESK_BUILD_DIR:-}" \
    >"$WORK/configure.log" 2>&1 || { cat "$WORK/configure.log"; exit 1; }
IFS=, read -r -a LIST <<<"$TARGETS"
cmake --build "$WORK/build" --target "${LIST[@]}" || exit 1

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
for target in "${LIST[@]}"; do
    # Seeds are copied: libFuzzer writes new inputs into the first corpus directory.
    mkdir -p "$WORK/$target/corpus" "$WORK/$target/artifacts"
    if [[ -d "$HERE/corpus/$target" ]]; then
        cp -n "$HERE/corpus/$target"/* "$WORK/$target/corpus/"
    fi
    echo "== $target (${SECONDS_TO_RUN}s)"
    "$WORK/build/$target" -max_total_time="$SECONDS_TO_RUN" -max_len=16384 -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$WORK/$target/artifacts/" -print_final_stats=1 "$WORK/$target/corpus"
done
