# Shared pieces of the chat benches, sourced (not run) by run_bench.sh and run_pg_bench.sh:
#   bench_init                       a temp dir ($TMP) removed at exit, with every process in PIDS stopped and
#                                    every command in CLEANUP run first
#   wait_line FILE PATTERN           waits (10 s) for a line in a process's output, else prints it and exits
#   start_fake_upstream              relaydesk-fakeupstream → FAKE_PID, FPORT
#   start_relay NAME ARGS…           relaydesk-chatbench-server ARGS → RELAY_PID, RPORT, KEY ($TMP/NAME.out)
#   chat_bodies API                  chat|responses → ROUTE, JSON_BODY, SSE_BODY
#   wrk_warm PORT BODY CONNS         one unmeasured second of wrk POSTing BODY to $ROUTE (connections, caches)
#   wrk_post PORT BODY CONNS SECS    wrk POSTing BODY to $ROUTE for SECS: "n rps p50 p99 errors"
#   cpu_ticks PID…                   summed utime+stime ticks of the processes (all threads); HZ per second
# Needs BIN (the build's bin dir) and wrk.
# shellcheck shell=bash
# shellcheck disable=SC2034 # the variables set here are the sourcing script's
command -v wrk >/dev/null || { echo "wrk not found (apt-get install wrk)"; exit 1; }
HZ=$(getconf CLK_TCK)

bench_init() {
  TMP=$(mktemp -d /tmp/relaydesk-bench.XXXXXX)
  chmod 755 "$TMP"
  PIDS=()
  CLEANUP=()
  trap bench_cleanup EXIT
  write_post_lua
}

bench_cleanup() {
  for c in "${CLEANUP[@]}"; do eval "$c" || true; done
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$TMP"
}

wait_line() { # file pattern
  for _ in $(seq 1 200); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
  echo "timeout waiting for '$2' in $1"; cat "$1"; exit 1
}

start_fake_upstream() {
  "$BIN/relaydesk-fakeupstream" >"$TMP/fake.out" 2>&1 &
  FAKE_PID=$!; PIDS+=("$FAKE_PID")
  wait_line "$TMP/fake.out" '^PORT '
  FPORT=$(awk '/^PORT/{print $2}' "$TMP/fake.out")
}

start_relay() { # name args...
  local name=$1; shift
  "$BIN/relaydesk-chatbench-server" "$@" >"$TMP/$name.out" 2>&1 &
  RELAY_PID=$!; PIDS+=("$RELAY_PID")
  wait_line "$TMP/$name.out" '^PORT '
  RPORT=$(awk '/^PORT/{print $2}' "$TMP/$name.out")
  KEY=$(awk '/^KEY/{print $2}' "$TMP/$name.out")
}

write_post_lua() {
  {
    cat <<'LUA'
wrk.method = "POST"
wrk.body = os.getenv("BENCH_BODY")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_KEY")
LUA
    wrk_result_lua
  } >"$TMP/post.lua"
}

# wrk's done(): one "RESULT requests req/s p50-ms p99-ms errors" line, which the scripts read.
wrk_result_lua() {
  cat <<'LUA'
function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout
  io.write(string.format("RESULT %d %.1f %.3f %.3f %d\n", summary.requests,
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000, errors))
end
LUA
}

chat_bodies() { # chat|responses
  case $1 in
    chat)
      ROUTE=/v1/chat/completions
      local msg='[{"role":"system","content":"You are a helpful assistant."},{"role":"user","content":"Hello! Please say hello back."}]'
      JSON_BODY="{\"model\":\"gpt-4o-mini\",\"messages\":$msg,\"max_tokens\":200}" ;;
    responses)
      ROUTE=/v1/responses
      JSON_BODY='{"model":"gpt-4o-mini","instructions":"You are a helpful assistant.","input":"Hello! Please say hello back.","max_output_tokens":200,"store":false}' ;;
    *) echo "API must be chat or responses"; exit 1 ;;
  esac
  SSE_BODY="${JSON_BODY%\}},\"stream\":true}"
}

wrk_warm() { # port body conns: one second of the same load (connections, caches), not measured
  BENCH_BODY=$2 BENCH_KEY=$KEY wrk -t1 -c"$3" -d1s -s "$TMP/post.lua" "http://127.0.0.1:$1$ROUTE" >/dev/null 2>&1 || true
}

wrk_post() { # port body conns seconds → "n rps p50 p99 errors" (KEY, ROUTE, THREADS from the caller)
  local port=$1 body=$2 conns=$3 secs=$4 out
  out=$(BENCH_BODY=$body BENCH_KEY=$KEY wrk -t"${THREADS:-1}" -c"$conns" -d"${secs}s" --timeout 10s -s "$TMP/post.lua" "http://127.0.0.1:$port$ROUTE")
  grep '^RESULT' <<<"$out" | cut -d' ' -f2-
}

cpu_ticks() { # pid... → summed utime+stime ticks (all threads)
  local t=0
  for p in "$@"; do
    local v; v=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | awk '{print $12 + $13}')
    t=$((t + ${v:-0}))
  done
  echo "$t"
}
