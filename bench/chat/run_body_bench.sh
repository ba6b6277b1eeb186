#!/usr/bin/env bash
# Relay CPU per request by chat body size (issue 18). For each size in SIZES (KB), make_chat_body.py builds an
# agent-style chat completions body of about that size (system prompt, alternating user/assistant messages of
# prose and code, stream:false, the bench relay's model), sent in two variants:
#   same   the same body every request;
#   turns  the earlier messages the same, the last user message different every request (a counter and a random
#          number in it: an agent resending its context with a new turn).
# Each variant, against the bench relay (SQLite, every call reserved, settled and logged) and, with DIRECT=1,
# against the fake upstream directly for reference:
#   - wrk, one connection, DURATION seconds after one second of warm-up: req/s, latency p50/p99, and the mean CPU
#     per request = the process's utime+stime ticks (/proc/PID/stat, all threads) over the run / requests, as
#     run_bench.sh measures it;
#   - relay only: the CPU of each of SAMPLES requests, for its p50/p99 (cpu_per_request.py: one request at a
#     time on a keep-alive connection, back to back as wrk sends them; the relay's threads' ns on CPU from
#     /proc/PID/task/*/schedstat, read once after each response, so the windows tile and their mean is the
#     run's). A window holds its request's work and whatever of the previous one's ledger settle was still
#     running: wrk's mean and this one agree within the machine's noise. SETTLE_MS>0 waits that long after each
#     response before reading, so each request's settle lands in its own window — but then every request starts
#     from an idle relay, which on this VM costs 1.3–2× the CPU of a back-to-back one (caches, wake-ups), so
#     that measures something else. The relay's idle background per second is printed, not subtracted.
# ROUNDS repeats everything (the machine's speed drifts); the summary gives each number's median and range.
# PROFILE=callgrind then runs the relay under valgrind --tool=callgrind for PROFILE_REQUESTS requests of
# PROFILE_CASE ("400 same"), the counters zeroed after warm-up, and prints callgrind_annotate's top entries
# (inclusive and self); the output file is kept as PROFILE_OUT (default ./callgrind.out.bodybench). ROUNDS=0
# skips the table.
#
#   bench/chat/run_body_bench.sh <build>/bin
#     env: SIZES="4 100 400" VARIANTS="same turns" DURATION=8 ROUNDS=1 SAMPLES=300 SETTLE_MS=0 DIRECT=1
#          PROFILE= PROFILE_CASE="400 same" PROFILE_REQUESTS=300 PROFILE_OUT=callgrind.out.bodybench
set -euo pipefail
BIN=${1:?usage: run_body_bench.sh <build>/bin}
SIZES=${SIZES:-4 100 400}
VARIANTS=${VARIANTS:-same turns}
DUR=${DURATION:-8}
ROUNDS=${ROUNDS:-1}
SAMPLES=${SAMPLES:-300}
SETTLE_MS=${SETTLE_MS:-0}
DIRECT=${DIRECT:-1}
PROFILE=${PROFILE:-}
PROFILE_CASE=${PROFILE_CASE:-400 same}
PROFILE_REQUESTS=${PROFILE_REQUESTS:-300}
PROFILE_OUT=$(realpath -m "${PROFILE_OUT:-callgrind.out.bodybench}")
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench_lib.sh
source "$HERE/bench_lib.sh"
command -v python3 >/dev/null || { echo "python3 not found"; exit 1; }
bench_init
ROUTE=/v1/chat/completions

# wrk reads the body from a file (a 400 KB body is larger than one environment variable may be) and, for
# "turns", puts a new text in place of the marker in every request.
cat >"$TMP/body.lua" <<'LUA'
local f = assert(io.open(os.getenv("BENCH_BODY_FILE"), "rb"))
local body = f:read("*a")
f:close()
local i, j = body:find("@TURN@", 1, true)
local pre, post = body:sub(1, i - 1), body:sub(j + 1)
wrk.method = "POST"
wrk.body = pre .. "turn 0 000000000" .. post
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_KEY")
if os.getenv("BENCH_VARIANT") == "turns" then
  local n = 0
  math.randomseed(os.time())
  request = function()
    n = n + 1
    return wrk.format(nil, nil, nil, pre .. string.format("turn %d %09d", n, math.random(0, 999999999)) .. post)
  end
end
LUA
wrk_result_lua >>"$TMP/body.lua"

wrk_body() { # port body-file variant seconds → "n rps p50 p99 errors"
  BENCH_BODY_FILE=$2 BENCH_VARIANT=$3 BENCH_KEY=$KEY timeout $(($4 + 30)) \
    wrk -t1 -c1 -d"$4s" --timeout 10s -s "$TMP/body.lua" "http://127.0.0.1:$1$ROUTE" | grep '^RESULT' | cut -d' ' -f2-
}

start_fake_upstream
start_relay relay --upstream "http://127.0.0.1:$FPORT" --data "$TMP/relay"
for s in $SIZES; do python3 "$HERE/make_chat_body.py" "$s" >"$TMP/body-$s.json"; done

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores; commit $(git -C "$HERE" rev-parse --short HEAD 2>/dev/null || echo '?')"
ROWS=$TMP/rows
printf '%-5s %-6s %-7s %-6s %8s %8s %8s %8s | %8s %8s %8s %6s | %s\n' round KB variant target "req/s" "p50 ms" \
  "p99 ms" "CPU mean" "CPU p50" "CPU p99" "CPU max" errors "µs/req; sampled mean, idle µs/s, by thread"
for round in $(seq 1 "$ROUNDS"); do
  for s in $SIZES; do
    file=$TMP/body-$s.json
    for v in $VARIANTS; do
      targets=relay; [ "$DIRECT" = 1 ] && targets="direct relay"
      for target in $targets; do
        case $target in direct) port=$FPORT; pid=$FAKE_PID ;; relay) port=$RPORT; pid=$RELAY_PID ;; esac
        wrk_body "$port" "$file" "$v" 1 >/dev/null || true
        c0=$(cpu_ticks "$pid")
        read -r n rps p50 p99 errs <<<"$(wrk_body "$port" "$file" "$v" "$DUR")"
        c1=$(cpu_ticks "$pid")
        mean=$(awk -v d=$((c1 - c0)) -v hz="$HZ" -v n="$n" 'BEGIN{ if (n>0) printf "%.0f", d*1e6/hz/n; else print "-" }')
        sp50=-; sp99=-; smax=-; extra=
        if [ "$target" = relay ]; then
          out=$(timeout 300 python3 "$HERE/cpu_per_request.py" "$RPORT" "$KEY" "$RELAY_PID" "$file" "$v" "$SAMPLES" \
            "$SETTLE_MS" "$ROUTE")
          read -r _ sn smean sp50 sp99 smax serrs <<<"$(grep '^CPUREQ' <<<"$out")"
          errs=$((errs + serrs))
          extra="$smean ($sn), idle $(awk '/^IDLE/{print $2}' <<<"$out"); $(grep '^THREADS' <<<"$out" | cut -d' ' -f2-)"
        fi
        printf '%-5s %-6s %-7s %-6s %8s %8s %8s %8s | %8s %8s %8s %6s | %s\n' "$round" "$s" "$v" "$target" "$rps" \
          "$p50" "$p99" "$mean" "$sp50" "$sp99" "$smax" "$errs" "$extra" | tee -a "$ROWS"
      done
    done
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
for s in $SIZES; do echo "body $s KB: $(wc -c <"$TMP/body-$s.json") bytes, $(grep -o '"role"' "$TMP/body-$s.json" | wc -l) messages"; done

if [ "$ROUNDS" -gt 1 ]; then # median (min–max) of each column over the rounds
  echo "median (min–max) over $ROUNDS rounds:"
  printf '%-6s %-7s %-6s %s\n' KB variant target "req/s | p50 ms | p99 ms | CPU mean | CPU p50 | CPU p99 (µs/req)"
  python3 - "$ROWS" <<'PY'
import sys, statistics
rows = {}
for line in open(sys.argv[1]):
    f = line.split()
    rows.setdefault((f[1], f[2], f[3]), []).append(f[4:8] + f[9:11])
for (kb, v, t), vals in rows.items():
    cols = []
    for c in zip(*vals):
        try:
            x = [float(v) for v in c]
        except ValueError:
            cols.append("-"); continue
        cols.append(f"{statistics.median(x):g} ({min(x):g}–{max(x):g})")
    print(f"{kb:<6} {v:<7} {t:<6} " + " | ".join(cols))
PY
fi

kill -TERM "$RELAY_PID"; wait "$RELAY_PID" 2>/dev/null || true
grep -E '^SETTLED' "$TMP/relay.out" || true

if [ "$PROFILE" = callgrind ]; then
  command -v valgrind >/dev/null || { echo "valgrind not found (apt-get install valgrind)"; exit 1; }
  read -r psize pvariant <<<"$PROFILE_CASE"
  pfile=$TMP/body-$psize.json
  [ -f "$pfile" ] || python3 "$HERE/make_chat_body.py" "$psize" >"$pfile"
  mkdir -p "$(dirname "$PROFILE_OUT")"
  echo "callgrind: $PROFILE_REQUESTS requests of $psize KB $pvariant through a relay under valgrind"
  valgrind --tool=callgrind --callgrind-out-file="$PROFILE_OUT" "$BIN/relaydesk-chatbench-server" \
    --upstream "http://127.0.0.1:$FPORT" --data "$TMP/profiled" >"$TMP/profiled.out" 2>"$TMP/valgrind.err" &
  VG_PID=$!; PIDS+=("$VG_PID")
  for _ in $(seq 1 1200); do # slow under valgrind
    grep -q '^PORT ' "$TMP/profiled.out" && break; kill -0 "$VG_PID" 2>/dev/null || break; sleep 0.1
  done
  grep -q '^PORT ' "$TMP/profiled.out" || { echo "the profiled relay did not start"; cat "$TMP/valgrind.err"; exit 1; }
  PPORT=$(awk '/^PORT/{print $2}' "$TMP/profiled.out"); KEY=$(awk '/^KEY/{print $2}' "$TMP/profiled.out")
  timeout 600 python3 "$HERE/cpu_per_request.py" "$PPORT" "$KEY" "$VG_PID" "$pfile" "$pvariant" 10 0 "$ROUTE" >/dev/null
  callgrind_control -z "$VG_PID" >/dev/null # warm-up done: count only what follows
  timeout 1800 python3 "$HERE/cpu_per_request.py" "$PPORT" "$KEY" "$VG_PID" "$pfile" "$pvariant" "$PROFILE_REQUESTS" 0 \
    "$ROUTE" | grep "^CPUREQ" || true
  callgrind_control --dump=requests "$VG_PID" >/dev/null # the requests only, not the shutdown: $PROFILE_OUT.1
  for _ in $(seq 1 600); do [ -s "$PROFILE_OUT.1" ] && break; sleep 0.1; done
  kill -TERM "$VG_PID"; wait "$VG_PID" 2>/dev/null || true
  mv "$PROFILE_OUT.1" "$PROFILE_OUT"; rm -f "$PROFILE_OUT".[0-9]*
  # The event loop's dispatch frames hold everything and a call chain repeats its callee's cost, so a line within
  # 1 % of the one before it is left out; inclusive lists only the relay's code and the libraries a request's
  # work goes to. In the self list, callgrind charges a thread's entry frame (Qt's thread start, the ledger
  # thread's std::call_once wrapper) with what ran below it since the counters were zeroed: ≥ 90 % is left out.
  collapse() { awk '{ c = $1; gsub(/,/, "", c); c += 0; if (n < 15 && (NR == 1 || prev - c > 0.01 * prev)) { print; n++ } prev = c }'; }
  echo "top 15 inclusive (% of the relay's instructions over the requests):"
  callgrind_annotate --inclusive=yes --threshold=100 "$PROFILE_OUT" 2>/dev/null |
    grep -E '^ *[0-9,]+ \(.*(RelayDesk::|QJson|QUtf8|QString::append|sqlite3_step|http_parser_execute|curl_multi_socket_action)' |
    collapse | cut -c1-200
  echo "top 15 self:"
  callgrind_annotate --inclusive=no --threshold=100 "$PROFILE_OUT" 2>/dev/null | grep -E '^ *[0-9,]+ \(' |
    grep -vE 'PROGRAM TOTALS|clone|start_thread|QThread::(exec|run)' |
    awk '{ match($0, /\( *[0-9.]+%\)/); if (substr($0, RSTART + 1, RLENGTH - 3) + 0 < 90) print }' | collapse | cut -c1-200
  echo "kept: $PROFILE_OUT"
fi
