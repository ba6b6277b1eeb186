#!/usr/bin/env bash
# Regenerates docs/screenshots/*.png with the console's own screenshot mode:
#   relaydesk --screenshot FILE --page PAGE --lang LANG
# which renders one page offscreen over a temporary data dir filled with demo data and exits.
# Usage: tools/screenshots.sh            (uses build/bin/relaydesk; BUILD_DIR or RELAYDESK override it)
# CJK text needs a CJK font (Debian: fonts-wqy-microhei or fonts-noto-cjk).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
BIN=${RELAYDESK:-$BUILD_DIR/bin/relaydesk}
if [[ ! -x "$BIN" ]]; then
    echo "screenshots.sh: $BIN not found — build first (./build.sh build) or set RELAYDESK=/path/to/relaydesk" >&2
    exit 1
fi
export QT_QPA_PLATFORM=offscreen
OUT=docs/screenshots
mkdir -p "$OUT"
for page in live detail pricing users channels logs dashboard; do
    "$BIN" --screenshot "$OUT/$page.png" --page "$page" --lang en 2> >(grep -v -e propagateSizeHints -e XDG_RUNTIME_DIR >&2)
    echo "wrote $OUT/$page.png"
done
for page in detail pricing; do
    "$BIN" --screenshot "$OUT/$page-zh_CN.png" --page "$page" --lang zh_CN 2> >(grep -v -e propagateSizeHints -e XDG_RUNTIME_DIR >&2)
    echo "wrote $OUT/$page-zh_CN.png"
done
