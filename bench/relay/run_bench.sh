#!/usr/bin/env bash
# HTTP-layer benchmark: bench_httpserver (RelayDesk HttpServer) vs nginx serving the same fixed body, loopback.
# Server pinned to CPU 0, wrk to CPU 1 (2-core machine), so req/s is "one server core".
#   bench/relay/run_bench.sh [BUILD_DIR] [DURATION_S] [CONNECTIONS]
# Needs: wrk, nginx (Debian nginx-light), taskset. Not a test: numbers vary with machine load.
set -euo pipefail
BUILD_DIR=${1:-build}
DURATION=${2:-10}
CONNS=${3:-50}
PORT=${PORT:-18791}
NGINX_PORT=${NGINX_PORT:-18792}
SERVER="$BUILD_DIR/bin/bench_httpserver"
[[ -x "$SERVER" ]] || { echo "missing $SERVER (build target bench_httpserver)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk not installed (apt-get install wrk)" >&2; exit 1; }
WORK=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

BODY='{"status":"ok","object":"bench"}'
cat >"$WORK/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"model":"gpt-4o-mini","messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"Say hello."}],"max_tokens":16}'
wrk.headers["Content-Type"] = "application/json"
LUA

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# run NAME PID URL [wrk args...]: prints req/s, p50, p99 and server CPU µs per request.
run() {
    local name=$1 pid=$2 url=$3; shift 3
    local t0 t1 out reqs rps p50 p99 hz
    hz=$(getconf CLK_TCK)
    taskset -c 1 wrk -t1 -c"$CONNS" -d2s "$@" "$url" >/dev/null 2>&1 || true # warm-up
    t0=$(cpu_ticks "$pid")
    out=$(taskset -c 1 wrk -t1 -c"$CONNS" -d"${DURATION}s" --latency "$@" "$url")
    t1=$(cpu_ticks "$pid")
    reqs=$(awk '/requests in/ {print $1}' <<<"$out")
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p50=$(awk '$1=="50%" {print $2}' <<<"$out")
    p99=$(awk '$1=="99%" {print $2}' <<<"$out")
    local errors
    errors=$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out" | tr '\n' ' ')
    printf '%-34s %10s req/s  p50 %-9s p99 %-9s CPU %6.1f µs/req %s\n' "$name" "$rps" "$p50" "$p99" \
        "$(awk -v d="$((t1 - t0))" -v hz="$hz" -v n="$reqs" 'BEGIN { print d / hz * 1e6 / n }')" "$errors"
}

taskset -c 0 "$SERVER" --port "$PORT" >"$WORK/server.log" 2>&1 &
PIDS+=($!)
SPID=$!
for _ in $(seq 50); do grep -q listening "$WORK/server.log" && break; sleep 0.1; done

echo "wrk -t1 -c$CONNS -d${DURATION}s, server on CPU 0, wrk on CPU 1"
run "relaydesk GET /fixed" "$SPID" "http://127.0.0.1:$PORT/fixed"
run "relaydesk POST /v1/chat/completions" "$SPID" "http://127.0.0.1:$PORT/v1/chat/completions" -s "$WORK/post.lua"
run "relaydesk GET /sse (6 events)" "$SPID" "http://127.0.0.1:$PORT/sse"

if command -v nginx >/dev/null; then
    mkdir -p "$WORK/nginx/logs"
    cat >"$WORK/nginx/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $WORK/nginx/body;
    keepalive_requests 1000000;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        location /fixed { default_type application/json; return 200 '$BODY'; }
        location /v1/chat/completions { default_type application/json; return 200 '$BODY'; }
    }
}
NGINX
    taskset -c 0 nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" 2>/dev/null &
    PIDS+=($!)
    sleep 0.5
    NPID=$(pgrep -P "$!" -f "nginx: worker" | head -1)
    [[ -n "$NPID" ]] || NPID=$!
    run "nginx GET /fixed" "$NPID" "http://127.0.0.1:$NGINX_PORT/fixed"
    run "nginx POST (body read, fixed reply)" "$NPID" "http://127.0.0.1:$NGINX_PORT/v1/chat/completions" -s "$WORK/post.lua"
else
    echo "nginx not installed: skipping the comparison (apt-get install nginx-light)"
fi
