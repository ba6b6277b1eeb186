#!/usr/bin/env bash
# Relay overhead benchmark: wrk → (a) fake upstream directly, (b) RelayDesk relay → fake upstream,
# (c) nginx proxy_pass → fake upstream; JSON and SSE; one connection (latency) and many (throughput).
# Reports requests/s, p50/p99 latency, added p50 latency vs direct, and the proxy's CPU µs per request
# (utime+stime from /proc/<pid>/stat over the run). Needs wrk and nginx (nginx-light).
# API=chat (default) posts to /v1/chat/completions; API=responses posts to /v1/responses (the demo's default
# scenario: one message, streamed as the full Responses event stream, store:false so the fake upstream keeps
# nothing in memory between requests).
#
#   bench/chat/run_bench.sh <build>/bin        env: API=chat|responses DURATION=8 CONNECTIONS=32 THREADS=1
set -euo pipefail
BIN=${1:?usage: run_bench.sh <build>/bin}
DUR=${DURATION:-8}
CONC=${CONNECTIONS:-32}
THREADS=${THREADS:-1}
API=${API:-chat}
NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
# shellcheck source=bench_lib.sh
source "$(dirname "$0")/bench_lib.sh"
bench_init

start_fake_upstream
start_relay relay --upstream "http://127.0.0.1:$FPORT" --data "$TMP/relay"

# nginx on a port next to the relay's; another process may hold it, so try the next ones until nginx stays up
mkdir -p "$TMP/nginx"
for NPORT in $(seq $((RPORT + 1)) $((RPORT + 20))); do
  cat >"$TMP/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $TMP/nginx/body;
  proxy_temp_path $TMP/nginx/proxy;
  fastcgi_temp_path $TMP/nginx/fcgi;
  uwsgi_temp_path $TMP/nginx/uwsgi;
  scgi_temp_path $TMP/nginx/scgi;
  upstream fake { server 127.0.0.1:$FPORT; keepalive 64; }
  server {
    listen 127.0.0.1:$NPORT;
    location / {
      proxy_pass http://fake;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
    }
  }
}
CONF
  chmod -R 777 "$TMP/nginx"
  "$NGINX" -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" 2>>"$TMP/nginx/error.log" &
  NGINX_PID=$!
  sleep 0.5
  if kill -0 "$NGINX_PID" 2>/dev/null; then PIDS+=("$NGINX_PID"); break; fi
  NGINX_PID=
done
[ -n "$NGINX_PID" ] || { echo "nginx did not start"; cat "$TMP/nginx/error.log"; exit 1; }

nginx_pids() { echo "$NGINX_PID $(pgrep -P "$NGINX_PID" | tr '\n' ' ')"; }
chat_bodies "$API"

# sanity: one SSE reply through the relay (events and bytes per request)
sample=$(curl -sN -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' -d "$SSE_BODY" \
  "http://127.0.0.1:$RPORT$ROUTE")
echo "API=$API: one SSE reply through the relay is $(grep -c '^data:' <<<"$sample") events, ${#sample} bytes"

declare -A P50
printf '%-7s %-5s %5s %10s %9s %9s %10s %12s %6s\n' target mode conns "req/s" "p50 ms" "p99 ms" "+p50 ms" "CPU us/req" errors
for mode in json sse; do
  body=$JSON_BODY; [ "$mode" = sse ] && body=$SSE_BODY
  for conns in 1 "$CONC"; do
    for target in direct relay nginx; do
      case $target in
        direct) port=$FPORT; pids="$FAKE_PID" ;;
        relay) port=$RPORT; pids="$RELAY_PID" ;;
        nginx) port=$NPORT; pids=$(nginx_pids) ;;
      esac
      wrk_warm "$port" "$body" "$conns"
      # shellcheck disable=SC2086
      c0=$(cpu_ticks $pids)
      read -r n rps p50 p99 errs <<<"$(wrk_post "$port" "$body" "$conns" "$DUR")"
      # shellcheck disable=SC2086
      c1=$(cpu_ticks $pids)
      cpu_us=$(awk -v d=$((c1 - c0)) -v hz="$HZ" -v n="$n" 'BEGIN{ if (n>0) printf "%.1f", d*1e6/hz/n; else print "-" }')
      key="$mode-$conns"
      [ "$target" = direct ] && P50[$key]=$p50
      added=$(awk -v a="$p50" -v b="${P50[$key]}" 'BEGIN{ printf "%+.3f", a-b }')
      [ "$target" = direct ] && added="-"
      printf '%-7s %-5s %5s %10s %9s %9s %10s %12s %6s\n' "$target" "$mode" "$conns" "$rps" "$p50" "$p99" "$added" "$cpu_us" "$errs"
    done
  done
done
kill -TERM "$RELAY_PID"; wait "$RELAY_PID" 2>/dev/null || true
grep -E '^SETTLED' "$TMP/relay.out" || true
echo "load average during the run: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
