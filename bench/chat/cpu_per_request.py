#!/usr/bin/env python3
"""The relay's CPU per request, request by request, for run_body_bench.sh's p50/p99.

N requests, one at a time on one keep-alive connection. Before the first request and after each response (plus
SETTLE_MS: with 0, work the relay does after answering — the ledger's settle on its own thread — may land in the
next request's window; with more it lands in its own, but each request then starts from an idle relay) it reads the relay's CPU time: the first field of /proc/PID/task/*/schedstat, nanoseconds
on CPU, summed over the process's threads. One reading ends a window and starts the next, so the windows tile:
their sum is all the relay's CPU over the run, each holds one request. The relay's idle background (timers) is
measured over one second first and printed, not subtracted.
A thread that exits between two readings takes its time with it (counted as 'vanished').

    cpu_per_request.py PORT KEY PID BODY_FILE same|turns N [SETTLE_MS] [ROUTE]
prints  CPUREQ n mean p50 p99 max errors          (µs per request)
        IDLE us_per_s
        THREADS name=mean_us ...                  (the mean split by thread name, largest first)
"""
import http.client
import os
import random
import sys
import time

MARKER = b"@TURN@"


def threads(pid):
    out = {}
    base = f"/proc/{pid}/task"
    for tid in os.listdir(base):
        try:
            with open(f"{base}/{tid}/schedstat") as f:
                ns = int(f.read().split()[0])
            with open(f"{base}/{tid}/comm") as f:
                name = f.read().strip()
        except (FileNotFoundError, ProcessLookupError):
            continue
        out[tid] = (name, ns)
    return out


def percentile(sorted_values, p):  # nearest rank
    k = max(0, min(len(sorted_values) - 1, int(round(p / 100 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[k]


def main():
    if len(sys.argv) < 7:
        sys.exit(__doc__)
    port, key, pid, body_file, variant, n = sys.argv[1:7]
    n = int(n)
    settle = (int(sys.argv[7]) if len(sys.argv) > 7 else 0) / 1000
    route = sys.argv[8] if len(sys.argv) > 8 else "/v1/chat/completions"
    with open(body_file, "rb") as f:
        pre, _, post = f.read().partition(MARKER)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {key}"}
    rng = random.Random(1)

    t0 = threads(pid)
    time.sleep(1)
    t1 = threads(pid)
    idle = sum(ns for _, ns in t1.values()) - sum(ns for _, ns in t0.values())

    conn = http.client.HTTPConnection("127.0.0.1", int(port), timeout=30)
    costs, by_name, errors, vanished = [], {}, 0, 0
    conn.request("POST", route, pre + b"warm" + post, headers)  # the connection's accept is not a request's
    conn.getresponse().read()
    before = threads(pid)
    for i in range(n):
        turn = b"turn 0 000000000" if variant == "same" else f"turn {i} {rng.randrange(10**9):09d}".encode()
        conn.request("POST", route, pre + turn + post, headers)
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            errors += 1
        time.sleep(settle)
        after = threads(pid)  # this request's end is the next one's start: the windows tile, nothing unseen
        vanished += sum(1 for tid in before if tid not in after)
        total = 0
        for tid, (name, ns) in after.items():
            d = ns - before.get(tid, (name, 0))[1]
            total += d
            by_name[name] = by_name.get(name, 0) + d
        costs.append(total / 1000)
        before = after
    conn.close()
    costs.sort()
    mean = sum(costs) / len(costs)
    print(f"CPUREQ {len(costs)} {mean:.0f} {percentile(costs, 50):.0f} {percentile(costs, 99):.0f} "
          f"{costs[-1]:.0f} {errors}")
    print(f"IDLE {idle / 1000:.0f}")
    split = sorted(by_name.items(), key=lambda kv: -kv[1])
    print("THREADS " + " ".join(f"{name}={ns / 1000 / len(costs):.0f}" for name, ns in split if ns > 0)
          + (f" vanished={vanished}" if vanished else ""))


if __name__ == "__main__":
    main()
