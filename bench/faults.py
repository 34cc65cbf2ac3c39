#!/usr/bin/env python3
"""Load with a database outage (bench/faults.sh starts everything; read that first).

Threads keep requests going against segstat: half ask URLs answered before the outage (the
server has them in memory), half ask URLs never asked before (they need the database). At
OUTAGE_AT seconds the database is stopped by `BENCH_STOP`, at OUTAGE_AT + OUTAGE_SECS started
again by `BENCH_START`. Every request's start, latency, status and cache status is recorded;
the report counts them per phase and says when the errors stopped."""

import http.client
import json
import os
import random
import subprocess
import threading
import time

import traffic
from traffic import cold_url

HOST, PORT = "127.0.0.1", int(os.environ["BENCH_PORT"])
OUTAGE_AT = float(os.environ.get("OUTAGE_AT", "10"))
OUTAGE_SECS = float(os.environ.get("OUTAGE_SECS", "10"))
TAIL = float(os.environ.get("TAIL_SECS", "15"))
THREADS = int(os.environ.get("THREADS", "16"))
OUT = os.environ["BENCH_OUT"]

# The data's warm URLs and one that is not versioned.
WARM = ["/v1/area-types", *traffic.WARM]


records = []
lock = threading.Lock()
stop = threading.Event()
t0 = time.monotonic()


def worker(seed):
    rng = random.Random(seed)
    conn = http.client.HTTPConnection(HOST, PORT, timeout=60)
    mine = []
    while not stop.is_set():
        warm = rng.random() < 0.5
        url = rng.choice(WARM) if warm else cold_url(rng)
        started = time.monotonic()
        try:
            conn.request("GET", url)
            res = conn.getresponse()
            res.read()
            status = res.status
            hit = "hit" in (res.getheader("cache-status") or "")
        except Exception:
            conn.close()
            conn = http.client.HTTPConnection(HOST, PORT, timeout=60)
            status, hit = 0, False
        mine.append((started - t0, time.monotonic() - started, status, hit, warm))
    with lock:
        records.extend(mine)


def main():
    for url in WARM:  # fill the server's memory
        c = http.client.HTTPConnection(HOST, PORT, timeout=60)
        c.request("GET", url)
        assert c.getresponse().status == 200, url
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    time.sleep(OUTAGE_AT)
    down_at = time.monotonic() - t0
    subprocess.run(os.environ["BENCH_STOP"], shell=True, check=True)
    time.sleep(OUTAGE_SECS)
    subprocess.run(os.environ["BENCH_START"], shell=True, check=True)
    up_at = time.monotonic() - t0
    time.sleep(TAIL)
    stop.set()
    for t in threads:
        t.join()

    def phase(t):
        return "before" if t < down_at else "outage" if t < up_at else "after"

    summary = {}
    for start, latency, status, hit, warm in records:
        key = (phase(start), "in memory" if warm else "needs the database")
        s = summary.setdefault(key, {"requests": 0, "statuses": {}, "hits": 0, "latencies": []})
        s["requests"] += 1
        s["statuses"][str(status)] = s["statuses"].get(str(status), 0) + 1
        s["hits"] += hit
        s["latencies"].append(latency)
    errors_after = [r[0] for r in records if r[0] >= up_at and r[2] != 200]
    last_error = max(errors_after) - up_at if errors_after else None
    slowest_503 = max((r[1] for r in records if r[2] == 503), default=None)
    lines = [
        f"database stopped at {down_at:.1f} s, started again at {up_at:.1f} s (down {up_at - down_at:.1f} s); "
        f"{len(records)} requests from {THREADS} connections",
        "",
        "| phase | requests | statuses | answered from memory | p50 | p99 | max |",
        "|---|---|---|---|---|---|---|",
    ]
    for ph in ["before", "outage", "after"]:
        for kind in ["in memory", "needs the database"]:
            s = summary.get((ph, kind))
            if not s:
                continue
            lat = sorted(s["latencies"])
            pct = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] * 1000
            lines.append(
                f"| {ph}, {kind} | {s['requests']} | "
                + ", ".join(f"{k}: {v}" for k, v in sorted(s["statuses"].items()))
                + f" | {s['hits']} | {pct(0.5):.1f} ms | {pct(0.99):.1f} ms | {lat[-1] * 1000:.0f} ms |"
            )
    lines += [
        "",
        f"slowest 503: {slowest_503 * 1000:.0f} ms" if slowest_503 else "no 503",
        f"last error {last_error:.2f} s after the database was started again"
        if last_error is not None
        else "no error after the database was started again",
    ]
    report = "\n".join(lines)
    print(report)
    with open(os.path.join(OUT, "faults.md"), "w") as f:
        f.write(report + "\n")
    with open(os.path.join(OUT, "faults.json"), "w") as f:
        json.dump({"down_at": down_at, "up_at": up_at, "records": records}, f)
    # The targets of issue #6: memory keeps answering, the rest fail fast, errors stop within 5 s.
    ok = (
        summary.get(("outage", "in memory"), {"statuses": {}})["statuses"].keys() <= {"200"}
        and (last_error is None or last_error <= 5.0)
        and all(r[2] in (200, 503) for r in records)
    )
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
