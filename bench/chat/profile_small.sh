#!/usr/bin/env bash
# Instruction profile of one small accounted chat request (not a timing: callgrind counts instructions, which
# stay stable on a busy machine). Starts the fake upstream and relaydesk-chatbench-server under
# `valgrind --tool=callgrind` (instrumentation off), sends WARMUP requests, turns it on, runs wrk with CONNS connections for
# SECS seconds, stops the relay, and prints instructions per request and the top inclusive entries.
#
#   bench/chat/profile_small.sh <build>/bin [OUT_DIR]     env: CONNS=4 SECS=30 WARMUP=30 MODE=json|sse
# Needs valgrind and wrk. The callgrind file stays in OUT_DIR (default: a temp dir, printed) for callgrind_annotate.
set -euo pipefail
BIN=${1:?usage: profile_small.sh <build>/bin [OUT_DIR]}
OUT=${2:-$(mktemp -d /tmp/relaydesk-profile.XXXXXX)}
CONNS=${CONNS:-4}
SECS=${SECS:-30}
WARMUP=${WARMUP:-30}
MODE=${MODE:-json}
command -v valgrind >/dev/null || { echo "valgrind not found (apt-get install valgrind)"; exit 1; }
# shellcheck source=bench_lib.sh
source "$(dirname "$0")/bench_lib.sh"
bench_init
mkdir -p "$OUT"

start_fake_upstream
# the relay under callgrind (start_relay's 10 s wait is too short for valgrind's start-up)
valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind.out" --instr-atstart=no \
  "$BIN/relaydesk-chatbench-server" --upstream "http://127.0.0.1:$FPORT" --data "$TMP/relay" >"$TMP/relay.out" 2>&1 &
RELAY_PID=$!; PIDS+=("$RELAY_PID")
for _ in $(seq 1 1200); do grep -q '^PORT ' "$TMP/relay.out" && break; sleep 0.05; done
RPORT=$(awk '/^PORT/{print $2}' "$TMP/relay.out")
KEY=$(awk '/^KEY/{print $2}' "$TMP/relay.out")
[ -n "$RPORT" ] || { cat "$TMP/relay.out"; exit 1; }
chat_bodies chat
body=$JSON_BODY; [ "$MODE" = sse ] && body=$SSE_BODY
for _ in $(seq 1 "$WARMUP"); do
  curl -s -o /dev/null -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' -d "$body" \
    "http://127.0.0.1:$RPORT$ROUTE"
done
callgrind_control --instr=on "$RELAY_PID" >/dev/null
read -r n rps p50 p99 errs <<<"$(wrk_post "$RPORT" "$body" "$CONNS" "$SECS")"
callgrind_control --instr=off "$RELAY_PID" >/dev/null
kill -TERM "$RELAY_PID"; wait "$RELAY_PID" 2>/dev/null || true   # callgrind writes its file at exit
dump=$OUT/callgrind.out
set +o pipefail   # head and awk stop reading early
total=$(callgrind_annotate "$dump" 2>/dev/null | awk '/PROGRAM TOTALS/{gsub(",","",$1); print $1; exit}')
echo "requests $n (errors $errs), instructions $total, per request $(awk -v t="$total" -v n="$n" 'BEGIN{printf "%.0f", t/n}')"
echo "callgrind file: $dump"
echo "--- inclusive"
callgrind_annotate --inclusive=yes "$dump" 2>/dev/null | grep -E '^ *[0-9,]+ \(' | head -${TOP:-60}
echo "--- exclusive"
callgrind_annotate "$dump" 2>/dev/null | grep -E '^ *[0-9,]+ \(' | head -${TOP:-40}
