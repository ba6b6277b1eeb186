#!/usr/bin/env bash
# Accounted chat on PostgreSQL vs SQLite, in one run: wrk POSTs JSON chat completions (every one reserved,
# settled and logged) through two bench relays — one on a SQLite data dir, one on a throwaway PostgreSQL cluster —
# to one fake upstream. The backends alternate ROUNDS times (so a change in the machine's load hits both), and the
# medians are compared: PG/SQLite as a percent.
#
# The cluster is made like tests/common/pgcluster.h's: initdb into the temp dir (as the postgres user when run as
# root: PostgreSQL refuses root), on a free loopback port, `fsync=off` — a commit does not wait for the disk,
# as on the SQLite side (WAL, synchronous=NORMAL, no sync per commit). PG_OPTS adds server options, e.g.
# PG_OPTS="-c fsync=on" (then each commit waits for its WAL flush) or PG_OPTS="-c synchronous_commit=off".
# PG_STATS=1 loads pg_stat_statements and prints, after the run, the statements PostgreSQL spent the most time on
# (calls, total and mean ms): where its CPU per call goes.
#
#   bench/chat/run_pg_bench.sh <build>/bin     env: DURATION=8 CONNECTIONS=32 THREADS=1 ROUNDS=3 MODES=json PG_OPTS=
#                                              PG_STATS=
set -euo pipefail
BIN=${1:?usage: run_pg_bench.sh <build>/bin}
DUR=${DURATION:-8}
CONC=${CONNECTIONS:-32}
THREADS=${THREADS:-1}
ROUNDS=${ROUNDS:-3}
MODES=${MODES:-json}
PG_OPTS=${PG_OPTS:-}
PG_STATS=${PG_STATS:-}
[ -n "$PG_STATS" ] && PG_OPTS="$PG_OPTS -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all"
# shellcheck source=bench_lib.sh
source "$(dirname "$0")/bench_lib.sh"

PGBIN=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -1) # the newest installed
if [ ! -x "$PGBIN/initdb" ] || [ ! -x "$PGBIN/pg_ctl" ]; then
  echo "PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin): apt-get install postgresql"; exit 1
fi
bench_init

# The throwaway cluster.
mkdir -p "$TMP/pg"
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres: "$TMP/pg"
as_pg "$PGBIN/initdb" -D "$TMP/pg/data" -A trust -U postgres -E UTF8 --no-sync >"$TMP/pg/initdb.log" 2>&1 ||
  { cat "$TMP/pg/initdb.log"; exit 1; }
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
PGPORT=
for _ in $(seq 1 10); do # another process may take the probed port first: try another
  p=$((20000 + RANDOM % 40000))
  port_free "$p" || continue
  if as_pg "$PGBIN/pg_ctl" -D "$TMP/pg/data" -l "$TMP/pg/server.log" -w -t 60 \
      -o "-p $p -c listen_addresses=127.0.0.1 -c unix_socket_directories=$TMP/pg -c fsync=off -c max_connections=100 $PG_OPTS" \
      start >/dev/null; then
    PGPORT=$p; break
  fi
done
[ -n "$PGPORT" ] || { echo "PostgreSQL did not start"; cat "$TMP/pg/server.log"; exit 1; }
CLEANUP+=("as_pg '$PGBIN/pg_ctl' -D '$TMP/pg/data' -m immediate -w stop >/dev/null")
"$PGBIN/psql" -q -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -c 'CREATE DATABASE bench' >/dev/null
[ -n "$PG_STATS" ] && "$PGBIN/psql" -q -h 127.0.0.1 -p "$PGPORT" -U postgres -d bench \
  -c 'CREATE EXTENSION pg_stat_statements' >/dev/null
PG_PID=$(head -1 "$TMP/pg/data/postmaster.pid")
pg_pids() { echo "$PG_PID $(pgrep -P "$PG_PID" | tr '\n' ' ')"; } # the server and its backends

# Channel secrets on PostgreSQL are sealed with a key file the relay is given: a throwaway one.
openssl rand -hex 32 >"$TMP/secret.key"
chmod 600 "$TMP/secret.key"
export RELAYDESK_SECRET_KEY_FILE=$TMP/secret.key

start_fake_upstream
declare -A PORTOF KEYOF PIDOF
start_relay sqlite --upstream "http://127.0.0.1:$FPORT" --data "$TMP/sqlite"
PORTOF[sqlite]=$RPORT; KEYOF[sqlite]=$KEY; PIDOF[sqlite]=$RELAY_PID
start_relay postgres --upstream "http://127.0.0.1:$FPORT" --data "$TMP/pgrelay" \
  --db "postgres://postgres@127.0.0.1:$PGPORT/bench"
PORTOF[postgres]=$RPORT; KEYOF[postgres]=$KEY; PIDOF[postgres]=$RELAY_PID
chat_bodies chat
echo "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PGPORT (fsync=off${PG_OPTS:+ $PG_OPTS});" \
  "wrk -c$CONC -t$THREADS, ${DUR}s per run, $ROUNDS rounds"

declare -A RATES
printf '%-8s %-5s %5s %5s %10s %9s %9s %6s %14s %12s\n' backend mode conns round "req/s" "p50 ms" "p99 ms" errors \
  "relay us/req" "pg us/req"
for mode in $MODES; do
  body=$JSON_BODY; [ "$mode" = sse ] && body=$SSE_BODY
  for round in $(seq 1 "$ROUNDS"); do
    for backend in sqlite postgres; do
      KEY=${KEYOF[$backend]}
      port=${PORTOF[$backend]}
      wrk_warm "$port" "$body" "$CONC"
      r0=$(cpu_ticks "${PIDOF[$backend]}")
      # shellcheck disable=SC2046 # one pid a word
      g0=$(cpu_ticks $(pg_pids))
      read -r n rps p50 p99 errs <<<"$(wrk_post "$port" "$body" "$CONC" "$DUR")"
      r1=$(cpu_ticks "${PIDOF[$backend]}")
      # shellcheck disable=SC2046
      g1=$(cpu_ticks $(pg_pids))
      per() { awk -v d="$1" -v hz="$HZ" -v n="$n" 'BEGIN{ if (n>0) printf "%.1f", d*1e6/hz/n; else print "-" }'; }
      pg_us=$(per $((g1 - g0))); [ "$backend" = sqlite ] && pg_us="-"
      printf '%-8s %-5s %5s %5s %10s %9s %9s %6s %14s %12s\n' "$backend" "$mode" "$CONC" "$round" "$rps" "$p50" \
        "$p99" "$errs" "$(per $((r1 - r0)))" "$pg_us"
      RATES[$backend-$mode]="${RATES[$backend-$mode]:-} $rps"
    done
  done
done

median() { tr ' ' '\n' | grep . | sort -g | awk '{v[NR]=$1} END{ print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2 }'; }
for mode in $MODES; do
  s=$(median <<<"${RATES[sqlite-$mode]}"); p=$(median <<<"${RATES[postgres-$mode]}")
  printf 'accounted %s chat, %s connections, median of %s: SQLite %s req/s, PostgreSQL %s req/s, PG/SQLite %s %%\n' \
    "$mode" "$CONC" "$ROUNDS" "$s" "$p" "$(awk -v p="$p" -v s="$s" 'BEGIN{ printf "%.1f", 100*p/s }')"
done
for backend in sqlite postgres; do
  kill -TERM "${PIDOF[$backend]}"; wait "${PIDOF[$backend]}" 2>/dev/null || true
  echo "$backend: $(grep -E '^SETTLED' "$TMP/$backend.out" || echo 'no SETTLED line')"
done
if [ -n "$PG_STATS" ]; then
  echo "PostgreSQL's statements by total time (pg_stat_statements, whole run incl. warm-up):"
  "$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -d bench -P pager=off -c \
    "SELECT calls, round(total_exec_time::numeric, 1) AS total_ms, round(mean_exec_time::numeric * 1000, 1) AS mean_us,
            left(regexp_replace(query, '\s+', ' ', 'g'), 110) AS query
       FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = 'bench')
      ORDER BY total_exec_time DESC LIMIT 25"
fi
echo "load average during the run: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
