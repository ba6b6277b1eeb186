#!/usr/bin/env bash
# CTest driver for the Realtime compatibility scripts: starts `relaydeskd serve --demo --tls` on a fresh data dir
# and a free loopback port, trusts its certificate with NODE_EXTRA_CA_CERTS, makes a key for the demo user and runs
#   node SCRIPT <https base url incl. /v1> <demo user's key>
# with RELAYDESKD, RELAYDESK_DATA (the data dir, for `relaydeskd admin`), RELAYDESK_DEMO_URL (the demo upstream's
# origin) and RELAYDESK_NODE_MODULES set (realtimecompat.mjs reads them). The pinned packages are installed by the
# compat_realtime_npm_install fixture (tests/compat/npm_install.cmake). Exit 77 = skipped: node/npm absent.
#   run_compat_realtime.sh RELAYDESKD NODE_MODULES_DIR SCRIPT
set -euo pipefail
RELAYDESKD=${1:?relaydeskd}
MODULES=${2:?node_modules dir}
SCRIPT=${3:?script}
SKIP=77

command -v node >/dev/null && command -v npm >/dev/null || { echo "SKIP: node/npm not installed"; exit $SKIP; }
[[ -d "$MODULES/openai" ]] || { echo "FAIL: no pinned packages in $MODULES (the npm ci fixture did not run?)"; exit 1; }

DATA=$(mktemp -d)
LOG="$DATA/serve.log"
cleanup() {
    if [[ -n "${PID:-}" ]]; then kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null; fi
    rm -rf "$DATA"
}
trap cleanup EXIT
# Port 0: the kernel picks a free port; serve prints the URL it listens on (and the demo upstream's).
"$RELAYDESKD" serve --data "$DATA" --demo --tls --listen "127.0.0.1:0" >"$LOG" 2>&1 &
PID=$!
for _ in $(seq 1 100); do
    grep -q "Listening on" "$LOG" && break
    kill -0 "$PID" 2>/dev/null || { cat "$LOG"; echo "FAIL: relaydeskd exited"; exit 1; }
    sleep 0.1
done
grep -q "Listening on" "$LOG" || { cat "$LOG"; echo "FAIL: relaydeskd did not start"; exit 1; }
BASE=$(sed -n 's/^Listening on \(https:\/\/[^ ]*\).*/\1/p' "$LOG" | head -1)
BASE=${BASE%/}
BASE=${BASE%/v1} # serve prints the API base (…/v1); the script gets it with /v1 again
[[ -n "$BASE" ]] || { cat "$LOG"; echo "FAIL: relaydeskd is not listening on https://"; exit 1; }
DEMO=$(sed -n 's/^Demo upstream on \(http[^ ]*\).*/\1/p' "$LOG" | head -1)
[[ -n "$DEMO" ]] || { cat "$LOG"; echo "FAIL: serve --demo printed no demo upstream"; exit 1; }
# serve prints the demo key only to a terminal (stdout is a log here): make a key for the demo user.
KEY=$("$RELAYDESKD" admin key add --user demo --unlimited --data "$DATA" | sed -n 's/.*"key":"\(sk-[A-Za-z0-9]*\)".*/\1/p')
[[ -n "$KEY" ]] || { cat "$LOG"; echo "FAIL: cannot make a key for the demo user"; exit 1; }
CERT="$DATA/tls/relaydesk-cert.pem"
[[ -f "$CERT" ]] || { cat "$LOG"; echo "FAIL: no certificate at $CERT"; exit 1; }

set +e
RELAYDESKD="$RELAYDESKD" RELAYDESK_DATA="$DATA" RELAYDESK_DEMO_URL="$DEMO" RELAYDESK_NODE_MODULES="$MODULES" \
    NODE_EXTRA_CA_CERTS="$CERT" node "$SCRIPT" "$BASE/v1" "$KEY"
RC=$?
set -e
[[ $RC -eq 0 ]] || { echo "--- relaydeskd serve log ---"; tail -n 50 "$LOG"; }
exit $RC
