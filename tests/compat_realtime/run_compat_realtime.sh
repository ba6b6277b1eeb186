#!/usr/bin/env bash
# CTest driver: installs the pinned OpenAI Node SDK (npm ci, integrity-checked, cached in WORK), starts
# `relaydeskd serve --demo --tls` on a free loopback port, trusts its certificate with NODE_EXTRA_CA_CERTS and runs
# compat_realtime.mjs. Exit 77 = skipped (node/npm absent, or relaydeskd has no --tls / no Realtime route yet).
#   run_compat_realtime.sh RELAYDESKD WORK_DIR
set -euo pipefail
RELAYDESKD=${1:?relaydeskd}
WORK=${2:?work dir}
HERE=$(cd "$(dirname "$0")" && pwd)
SKIP=77

command -v node >/dev/null && command -v npm >/dev/null || { echo "SKIP: node/npm not installed"; exit $SKIP; }
if ! "$RELAYDESKD" serve --help 2>&1 | grep -q -- '--tls'; then
    echo "SKIP: relaydeskd serve has no --tls option yet (the OpenAI SDK opens Realtime only over wss://)"
    exit $SKIP
fi

mkdir -p "$WORK"
if ! cmp -s "$HERE/package-lock.json" "$WORK/package-lock.json" || [[ ! -d "$WORK/node_modules/openai" ]]; then
    cp "$HERE/package.json" "$HERE/package-lock.json" "$WORK/"
    (cd "$WORK" && npm ci --no-audit --no-fund --loglevel=error)
fi
cp "$HERE/compat_realtime.mjs" "$WORK/"

DATA=$(mktemp -d)
LOG="$WORK/serve.log"
cleanup() { [[ -n "${PID:-}" ]] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null; rm -rf "$DATA"; }
trap cleanup EXIT
# Port 0: the kernel picks a free port; serve prints the URL it listens on.
"$RELAYDESKD" serve --data "$DATA" --demo --tls --listen "127.0.0.1:0" >"$LOG" 2>&1 &
PID=$!
for _ in $(seq 1 100); do
    grep -q "Listening on" "$LOG" && break
    kill -0 "$PID" 2>/dev/null || { cat "$LOG"; exit 1; }
    sleep 0.1
done
grep -q "Listening on" "$LOG" || { cat "$LOG"; echo "relaydeskd did not start"; exit 1; }
BASE=$(sed -n 's/^Listening on \(https:\/\/[^ ]*\).*/\1/p' "$LOG" | head -1)
BASE=${BASE%/}
BASE=${BASE%/v1} # serve prints the API base (…/v1); the script adds /v1 itself
[[ -n "$BASE" ]] || { cat "$LOG"; echo "relaydeskd is not listening on https://"; exit 1; }
# serve prints the demo key only to a terminal (stdout is a log here): make a key for the demo user.
KEY=$("$RELAYDESKD" admin key add --user demo --unlimited --data "$DATA" | sed -n 's/.*"key":"\(sk-[A-Za-z0-9]*\)".*/\1/p')
[[ -n "$KEY" ]] || { cat "$LOG"; echo "cannot make a key for the demo user"; exit 1; }
CERT="$DATA/tls/relaydesk-cert.pem"
[[ -f "$CERT" ]] || { cat "$LOG"; echo "no certificate at $CERT"; exit 1; }

set +e
(cd "$WORK" && NODE_EXTRA_CA_CERTS="$CERT" node compat_realtime.mjs "$BASE/v1" "$KEY")
RC=$?
set -e
if [[ $RC -eq 77 ]]; then
    echo "SKIP: relaydeskd serve --demo does not route /v1/realtime yet"
fi
exit $RC
