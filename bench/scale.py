#!/usr/bin/env python3
"""Replicas under load and faults (issue #14); bench/scale.sh starts the layout (read that first).

Drives scripts/replicas.sh (primary + hot standby, an API on each, HAProxy in front) through five
phases while threads send GETs and record every response: its start and end, where it went
(the balancer or one API directly), its status, and the data version it names (the Data-Version
header, the version in its ETag and, for /v1/meta, in its body). Then it checks the guarantees
and writes a Markdown report; it exits 1 when one fails.

  a. throughput through the balancer with 1 and 2 APIs (wrk), and of one API directly;
  b. an import on the primary under load: when each API switches, no response mixing versions,
     no API going back to the old version, nothing old through the balancer after the last switch;
  c. kill -9 of one API under load, then started again: failed requests through the balancer;
  d. the standby's PostgreSQL stopped under load, then started: its API unready, the balancer
     routing around it, errors, catching up and rejoining;
  e. replay paused on the standby, an import on the primary: the standby's API drained by the lag
     limit; replay resumed: it rejoins with the new version.

Besides plain URLs, "follower" threads do what a map does after an import: they learn the newest
version from the balancer and ask URLs pinned to it (`v=`). None may be redirected back to an
older version (src/http/version.rs: a standby that has not replayed answers 503, which HAProxy
retries on the other API).

Standard library only; every address and command comes from the environment."""

import http.client
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
from urllib.parse import urlsplit, parse_qs

from traffic import WARM, cold_url

LB = os.environ["BENCH_LB"]  # host:port of HAProxy
APIS = {"primary": os.environ["BENCH_PRIMARY"], "standby": os.environ["BENCH_STANDBY"]}
REPLICAS = os.environ["BENCH_REPLICAS"]  # scripts/replicas.sh
DATA_B = os.environ["BENCH_DATA_B"]  # bundled data with one file's bytes changed: a new version
DATA_C = os.environ["BENCH_DATA_C"]  # and another
OUT = os.environ["BENCH_OUT"]
LAG_LIMIT = float(os.environ.get("SEGSTAT_MAX_REPLICA_LAG_SECS", "5"))
WRK_SECS = int(os.environ.get("BENCH_WRK_SECS", "6"))
OUTAGE_SECS = float(os.environ.get("BENCH_OUTAGE_SECS", "8"))
WAIT_SECS = 90  # the longest any phase waits for something to happen before calling it failed

# Asked with `v=` by the followers, as a map asks its tiles after reading the TileJSON.
PINNED = ["/v1/areas/0180", "/v1/meta", "/v1/areas?level=kommun"]

T0 = time.monotonic()


def now():
    return time.monotonic() - T0


def log(msg):
    print(f"[{now():7.1f} s] {msg}", file=sys.stderr, flush=True)


def etag_version(etag):
    """The data version an ETag names: `"<version>-<digest>[-coding]"`."""
    if not etag:
        return None
    tag = etag[2:] if etag.startswith("W/") else etag
    return tag.strip('"').split("-", 1)[0] or None


def location_version(location):
    if not location:
        return None
    v = parse_qs(urlsplit(location).query).get("v")
    return v[0] if v else None


def replicas(*args, check=True):
    return subprocess.run([REPLICAS, *args], check=check, capture_output=True, text=True)


def new_version(data_dir):
    """Makes a new data version on the primary: `segstat import bundled` of `data_dir`, or with
    BENCH_IMPORT=bump only the version row changed in one transaction (what replicas see of an
    import, without its minutes of work on a loaded machine; the data stays the same)."""
    if os.environ.get("BENCH_IMPORT") == "bump":
        version = "bump%d" % (time.time() * 1000)
        replicas("sql", "primary",
                 f"UPDATE data_state SET data_version = '{version}', updated_at = now()")
    else:
        replicas("import", data_dir)
    # The primary's own word: its API may not have refreshed yet.
    return replicas("sql", "primary", "SELECT data_version FROM data_state").stdout.strip()


class Versions:
    """Versions in the order they first appeared anywhere (the imports make them one after
    another, so first seen is older)."""

    def __init__(self):
        self.order = {}
        self.lock = threading.Lock()

    def rank(self, v):
        with self.lock:
            return self.order.setdefault(v, len(self.order))


VERSIONS = Versions()


class Load:
    """Threads sending GETs until stopped. Each record: (start, end, target, kind, status,
    header version, ETag version, body version, Location version)."""

    def __init__(self, plan):
        # plan: [(target name, host:port, kind, threads)]; kind: mixed | follower | ready
        self.plan = plan
        self.stop_flag = threading.Event()
        self.records = []
        self.lock = threading.Lock()
        self.threads = []

    def start(self):
        seed = 0
        for target, addr, kind, n in self.plan:
            for _ in range(n):
                seed += 1
                t = threading.Thread(target=self.worker, args=(target, addr, kind, seed))
                t.start()
                self.threads.append(t)
        return self

    def stop(self):
        self.stop_flag.set()
        for t in self.threads:
            t.join()
        return self.records

    def snapshot(self):
        with self.lock:
            return list(self.records)

    def worker(self, target, addr, kind, seed):
        rng = random.Random(seed)
        host, port = addr.split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        pinned = None  # the follower's newest version
        i = 0
        while not self.stop_flag.is_set():
            i += 1
            if kind == "ready":
                url = "/ready"
            elif kind == "follower":
                if pinned is None or i % 10 == 0:
                    url = "/v1/meta"
                else:
                    base = rng.choice(PINNED)
                    url = f"{base}{'&' if '?' in base else '?'}v={pinned}"
            else:
                url = rng.choice(WARM) if rng.random() < 0.5 else cold_url(rng)
            started = now()
            try:
                conn.request("GET", url)
                res = conn.getresponse()
                body = res.read()
                status = res.status
                dv = res.getheader("data-version")
                ev = etag_version(res.getheader("etag"))
                lv = location_version(res.getheader("location"))
                bv = None
                if status == 200 and url.startswith(("/v1/meta", "/ready")):
                    bv = json.loads(body).get("data_version")
            except Exception:
                conn.close()
                conn = http.client.HTTPConnection(host, int(port), timeout=30)
                status, dv, ev, lv, bv = 0, None, None, None, None
            ended = now()
            rec = (started, ended, target, kind, status, dv, ev, bv, lv, url)
            if kind == "follower" and url == "/v1/meta" and status == 200 and dv:
                # What the balancer serves now: pin to it if it is newer than the pinned one.
                if pinned is None or VERSIONS.rank(dv) > VERSIONS.rank(pinned):
                    pinned = dv
            for v in (dv, ev, bv, lv):
                if v:
                    VERSIONS.rank(v)
            with self.lock:
                self.records.append(rec)
            if kind == "ready":
                time.sleep(0.1)


def meta_version(target):
    host, port = APIS.get(target, LB).split(":")
    c = http.client.HTTPConnection(host, int(port), timeout=10)
    c.request("GET", "/v1/meta")
    r = c.getresponse()
    r.read()
    return r.getheader("data-version")


def ready(target):
    host, port = APIS[target].split(":")
    try:
        c = http.client.HTTPConnection(host, int(port), timeout=5)
        c.request("GET", "/ready")
        r = c.getresponse()
        body = r.read()
        return r.status, json.loads(body) if r.status == 200 else None
    except Exception:
        return 0, None


def wait_until(what, cond, limit=WAIT_SECS, step=0.1):
    started = time.monotonic()
    while time.monotonic() - started < limit:
        if cond():
            return now()
        time.sleep(step)
    log(f"gave up waiting: {what}")
    return None


# ---- checks, shared by the phases -------------------------------------------------------

def statuses(records):
    out = {}
    for r in records:
        out[r[4]] = out.get(r[4], 0) + 1
    return ", ".join(f"{k}: {v}" for k, v in sorted(out.items()))


def mixed_responses(records):
    """200s that do not name exactly one version: Data-Version missing, or the ETag's or the
    body's version another one."""
    bad = []
    for r in records:
        if r[3] == "ready" or r[4] != 200:
            continue
        dv, ev, bv = r[5], r[6], r[7]
        if not dv or ev != dv or (bv is not None and bv != dv):
            bad.append(r)
    return bad


def went_back(records, target):
    """Responses of `target` that name a version older than one it already answered with, in
    a response that ended before this request started."""
    rows = sorted((r for r in records if r[2] == target and r[3] != "ready" and r[5]),
                  key=lambda r: r[0])
    ends = sorted((r[1], VERSIONS.rank(r[5])) for r in rows)
    bad, best, j = [], -1, 0
    for r in rows:
        while j < len(ends) and ends[j][0] < r[0]:
            best = max(best, ends[j][1])
            j += 1
        if VERSIONS.rank(r[5]) < best:
            bad.append(r)
    return bad


def sent_back(records):
    """Follower requests pinned to a version and redirected to an older one."""
    bad = []
    for r in records:
        if r[3] != "follower" or r[4] != 302 or not r[8]:
            continue
        asked = parse_qs(urlsplit(r[9]).query).get("v", [None])[0]
        if asked and VERSIONS.rank(r[8]) < VERSIONS.rank(asked):
            bad.append(r)
    return bad


def errors(records, target):
    """Failed requests: no answer, or a status a client would see as a failure (a follower's
    302 to a newer version is fine, as is any 200)."""
    return [r for r in records if r[2] == target and r[3] != "ready" and r[4] not in (200, 302)]


def first_with(records, target, version):
    ends = [r[1] for r in records if r[2] == target and r[3] != "ready" and r[5] == version]
    return min(ends) if ends else None


def unready_spans(records, target):
    """Seconds (from, to) during which the target's /ready did not answer 200."""
    rows = sorted((r for r in records if r[2] == target and r[3] == "ready"), key=lambda r: r[0])
    spans, since = [], None
    for r in rows:
        if r[4] != 200 and since is None:
            since = r[0]
        elif r[4] == 200 and since is not None:
            spans.append((since, r[0]))
            since = None
    if since is not None:
        spans.append((since, None))
    return spans


def fmt_spans(spans, origin):
    if not spans:
        return "always ready"
    return "; ".join(
        f"{a - origin:+.1f} s to {'end' if b is None else f'{b - origin:+.1f} s'}" for a, b in spans
    )


class Report:
    def __init__(self):
        self.lines = []
        self.failures = []
        self.data = {}

    def add(self, *lines):
        self.lines.extend(lines)

    def check(self, ok, what):
        mark = "ok" if ok else "**FAILED**"
        self.lines.append(f"- {mark}: {what}")
        if not ok:
            self.failures.append(what)
            log(f"FAILED: {what}")


REPORT = Report()


def standard_checks(records, phase):
    mixed = mixed_responses(records)
    REPORT.check(not mixed, f"{phase}: every 200 names one version (Data-Version = ETag = body): "
                 f"{len(mixed)} do not")
    for target in ("primary", "standby"):
        back = went_back(records, target)
        REPORT.check(not back, f"{phase}: the {target} API never answers an older version after a newer one: "
                     f"{len(back)} did")
    back = sent_back(records)
    REPORT.check(not back, f"{phase}: no URL pinned to a version is redirected to an older one: {len(back)} were")


def load_plan(direct=1):
    return [
        ("lb", LB, "mixed", 4),
        ("lb", LB, "follower", 2),
        ("primary", APIS["primary"], "mixed", direct),
        ("standby", APIS["standby"], "mixed", direct),
        ("primary", APIS["primary"], "ready", 1),
        ("standby", APIS["standby"], "ready", 1),
    ]


def table_row(label, records, target):
    rs = [r for r in records if r[2] == target and r[3] != "ready"]
    return f"| {label} | {len(rs)} | {statuses(rs)} | {len(errors(records, target))} |"


def phase_table(records):
    return [
        "| requests to | count | statuses | failed |",
        "|---|---|---|---|",
        table_row("the balancer", records, "lb"),
        table_row("the primary's API directly", records, "primary"),
        table_row("the standby's API directly", records, "standby"),
    ]


# ---- phases ------------------------------------------------------------------------------

def wrk(addr, path):
    out = subprocess.run(
        ["wrk", "-t2", "-c32", f"-d{WRK_SECS}s", "--latency", f"http://{addr}{path}"],
        check=True, capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    lat = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.M))
    return {
        "rps": rps,
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": sum(map(int, sock.groups())) if sock else 0,
        "p50": lat.get("50"), "p99": lat.get("99"),
    }


def phase_a():
    log("a. throughput")
    REPORT.add("", "### a. Throughput, `wrk -t2 -c32 -d%ds`, warm URLs" % WRK_SECS, "",
               "| URL | one API directly | balancer, 1 API | balancer, 2 APIs |", "|---|---|---|---|")
    results = {}
    for path in ["/v1/areas/0180", "/v1/collections/regso-2025/items?municipality=0180&geometry=simplified&limit=1000"]:
        for addr in APIS.values():  # warm both
            host, port = addr.split(":")
            c = http.client.HTTPConnection(host, int(port), timeout=30)
            c.request("GET", path)
            c.getresponse().read()
        direct = wrk(APIS["primary"], path)
        replicas("lb", "disable", "standby")
        time.sleep(1)
        one = wrk(LB, path)
        replicas("lb", "enable", "standby")
        time.sleep(1.5)  # two good checks bring it back
        two = wrk(LB, path)
        results[path] = {"direct": direct, "lb1": one, "lb2": two}
        cell = lambda r: f"{r['rps']:,.0f} req/s (p50 {r['p50']}, p99 {r['p99']})"
        REPORT.add(f"| `{path}` | {cell(direct)} | {cell(one)} | {cell(two)} |")
    REPORT.add("")
    for path, runs in results.items():
        for name, r in (("one API", runs["direct"]), ("balancer, 1 API", runs["lb1"]),
                        ("balancer, 2 APIs", runs["lb2"])):
            REPORT.check(r["non2xx"] == 0 and r["socket_errors"] == 0,
                         f"a: `{path}`, {name}: {r['non2xx']} non-2xx, {r['socket_errors']} socket errors")
    REPORT.data["a"] = results


def phase_b():
    log("b. an import on the primary under load")
    old = meta_version("primary")
    VERSIONS.rank(old)
    load = Load(load_plan(direct=2)).start()
    time.sleep(3)
    t_import = now()
    new = new_version(DATA_B)
    t_done = now()
    VERSIONS.rank(new)
    log(f"imported {old} -> {new} in {t_done - t_import:.1f} s")

    def switched():
        recs = load.snapshot()
        return all(first_with(recs, t, new) for t in ("primary", "standby"))

    wait_until("both APIs on the new version", switched)
    time.sleep(4)
    records = load.stop()
    sw = {t: first_with(records, t, new) for t in ("primary", "standby", "lb")}
    REPORT.add("", f"### b. An import on the primary under load ({old} → {new})", "",
               ("A version bump (`UPDATE data_state` on the primary, BENCH_IMPORT=bump)"
                if os.environ.get("BENCH_IMPORT") == "bump" else
                "`scripts/replicas.sh import` (the bundled data, one file's bytes changed so the "
                "version changes)")
               + f" took {t_done - t_import:.1f} s; times below are from its end.", "")
    REPORT.add(*phase_table(records), "")
    for t, label in (("primary", "the primary's API"), ("standby", "the standby's API"), ("lb", "the balancer")):
        REPORT.add(f"- first response of the new version from {label}: "
                   + (f"{sw[t] - t_done:+.2f} s" if sw[t] else "never"))
    for t in ("primary", "standby"):
        REPORT.add(f"- the {t}'s /ready: {fmt_spans(unready_spans(records, t), t_done)}")
    REPORT.check(new != old, f"b: the import made a new version ({new})")
    REPORT.check(all(sw[t] for t in ("primary", "standby")), "b: both APIs moved to the new version")
    last = max(s for s in (sw["primary"], sw["standby"]) if s) if any((sw["primary"], sw["standby"])) else None
    if last:
        REPORT.add(f"- **the last API switched {last - t_done:.2f} s after the import ended**")
        stale = [r for r in records if r[2] == "lb" and r[3] != "ready" and r[0] > last and r[5] == old]
        REPORT.check(not stale, f"b: through the balancer, nothing old after the last switch: {len(stale)} old")
    standard_checks(records, "b")
    REPORT.check(not errors(records, "lb"), f"b: no failed request through the balancer: {len(errors(records, 'lb'))}")
    REPORT.data["b"] = {"old": old, "new": new, "import_secs": t_done - t_import,
                        "switch": {k: (v - t_done if v else None) for k, v in sw.items()}}
    return new


def phase_c():
    log("c. kill -9 of the primary's API under load")
    plan = [("lb", LB, "mixed", 6), ("lb", LB, "follower", 2),
            ("primary", APIS["primary"], "ready", 1), ("standby", APIS["standby"], "ready", 1)]
    load = Load(plan).start()
    time.sleep(3)
    t_kill = now()
    replicas("api-kill", "primary")
    time.sleep(3)
    t_start = now()
    replicas("api-start", "primary")
    t_ready = wait_until("the restarted API ready", lambda: ready("primary")[0] == 200)
    time.sleep(3)  # back in rotation after two good checks, then some load through both
    records = load.stop()
    failed = errors(records, "lb")
    during = [r for r in records if r[2] == "lb" and r[3] != "ready" and t_kill <= r[0] <= t_kill + 3]
    REPORT.add("", "### c. `kill -9` of the primary's API under load, then started again", "")
    REPORT.add(*phase_table(records)[:3], "")
    REPORT.add(f"- {len(during)} requests through the balancer in the 3 s after the kill; "
               f"{len(failed)} failed in the whole phase ({statuses(failed) or 'none'})")
    if t_ready:
        REPORT.add(f"- the restarted API was ready {t_ready - t_start:.1f} s after its start")
    REPORT.check(t_ready is not None, "c: the killed API came back and was ready")
    # At most one request per connection can be in flight on the killed process; HAProxy
    # retries those too (retry-on empty-response conn-failure), so the target is 0.
    REPORT.check(len(failed) <= 8, f"c: failed requests through the balancer ≤ those possibly in flight (8 connections): {len(failed)}")
    standard_checks(records, "c")
    REPORT.data["c"] = {"failed": len(failed), "ready_after_start": t_ready and t_ready - t_start}


def phase_d(version):
    log("d. the standby's PostgreSQL stopped under load")
    load = Load(load_plan(direct=1)).start()
    time.sleep(3)
    t_stop = now()
    replicas("pg-stop", "standby")
    t_unready = wait_until("the standby's API unready", lambda: ready("standby")[0] != 200, limit=20)
    time.sleep(max(0.0, OUTAGE_SECS - (now() - t_stop)))
    t_start = now()
    replicas("pg-start", "standby")
    t_back = wait_until("the standby's API ready again", lambda: ready("standby")[0] == 200)
    time.sleep(3)
    records = load.stop()
    failed = errors(records, "lb")
    REPORT.add("", f"### d. The standby's PostgreSQL stopped (`pg_ctl stop -m fast`) for {t_start - t_stop:.0f} s under load", "")
    REPORT.add(*phase_table(records), "")
    REPORT.add(f"- the standby's /ready: {fmt_spans(unready_spans(records, 'standby'), t_stop)} (from the stop)")
    if t_unready:
        REPORT.add(f"- unready {t_unready - t_stop:.1f} s after the stop (the balancer drains it after two failed checks, 0.5 s apart)")
    if t_back:
        REPORT.add(f"- ready again {t_back - t_start:.1f} s after the start")
    REPORT.check(t_unready is not None, "d: the standby's API went unready")
    REPORT.check(t_back is not None, "d: the standby caught up and its API was ready again")
    REPORT.check(not failed, f"d: no failed request through the balancer: {len(failed)} ({statuses(failed) or 'none'})")
    REPORT.check(meta_version("standby") == version, "d: after rejoining, the standby's API serves the primary's version")
    standard_checks(records, "d")
    REPORT.data["d"] = {"failed": len(failed), "unready_after": t_unready and t_unready - t_stop,
                        "ready_after_start": t_back and t_back - t_start}


def phase_e():
    log("e. replay paused on the standby, an import on the primary")
    old = meta_version("primary")
    load = Load(load_plan(direct=1)).start()
    time.sleep(3)
    t_pause = now()
    replicas("replay", "pause")
    t_import = now()
    new = new_version(DATA_C)
    t_done = now()
    VERSIONS.rank(new)
    t_drained = wait_until("the standby drained", lambda: ready("standby")[0] != 200, limit=LAG_LIMIT + 30)
    time.sleep(2)
    t_resume = now()
    replicas("replay", "resume")
    t_back = wait_until("the standby ready with the new version",
                        lambda: ready("standby")[0] == 200 and meta_version("standby") == new)
    time.sleep(3)
    records = load.stop()
    failed = errors(records, "lb")
    primary_new = first_with(records, "primary", new)
    old_after = [r for r in records if r[2] == "lb" and r[3] == "mixed" and primary_new
                 and r[0] > primary_new and r[5] == old]
    REPORT.add("", f"### e. Replay paused on the standby, an import on the primary ({old} → {new}), "
               f"lag limit {LAG_LIMIT:g} s", "")
    REPORT.add(*phase_table(records), "")
    REPORT.add(f"- the import ran {t_done - t_import:.1f} s; times below are from its start",
               f"- the standby's /ready: {fmt_spans(unready_spans(records, 'standby'), t_import)}")
    if primary_new:
        REPORT.add(f"- the primary's API served the new version {primary_new - t_import:+.1f} s; "
                   f"after that the balancer still returned {len(old_after)} plain (unpinned) responses "
                   f"of the old version (the standby's, before it was drained)")
    pinned = [r for r in records if r[3] == "follower" and "v=" in r[9]]
    REPORT.add(f"- followers' pinned requests through the balancer: {statuses(pinned)}")
    if t_back:
        REPORT.add(f"- replay resumed at {t_resume - t_import:+.1f} s; ready with the new version "
                   f"{t_back - t_resume:.1f} s later")
    REPORT.check(t_drained is not None, f"e: the paused standby's API was drained (/ready 503) past the {LAG_LIMIT:g} s limit")
    REPORT.check(t_back is not None, "e: after resuming, the standby's API rejoined with the new version")
    REPORT.check(not failed, f"e: no failed request through the balancer: {len(failed)} ({statuses(failed) or 'none'})")
    standard_checks(records, "e")
    REPORT.data["e"] = {"old": old, "new": new, "drained_after_import_start": t_drained and t_drained - t_import,
                        "rejoined_after_resume": t_back and t_back - t_resume, "old_after_primary": len(old_after)}


def main():
    load1 = os.getloadavg()
    # The standby may leave /ready for a while after the layout comes up: the primary's
    # autovacuum of the fresh import streams WAL without a commit, and a standby behind with no
    # replayed commit to date its lag counts as too far. Wait as a balancer would, and say so.
    started = time.monotonic()
    for t in APIS:
        assert wait_until(f"the {t} API ready", lambda: ready(t)[0] == 200) is not None, \
            f"the {t} API is not ready"
    waited = time.monotonic() - started
    if waited > 1:
        REPORT.add(f"- the APIs were ready {waited:.1f} s after the layout came up")
    def partial():  # what is known so far, in case a later phase never ends
        with open(os.path.join(OUT, "scale.md"), "w") as f:
            f.write("\n".join(REPORT.lines) + "\n")

    phase_a()
    partial()
    new = phase_b()
    partial()
    phase_c()
    partial()
    phase_d(new)
    partial()
    phase_e()
    load2 = os.getloadavg()
    head = [
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores; "
        f"load average before {load1[0]:.2f} / {load1[1]:.2f} / {load1[2]:.2f}, "
        f"after {load2[0]:.2f} / {load2[1]:.2f} / {load2[2]:.2f}; the phases took {now():.0f} s; "
        f"binary {os.environ.get('SEGSTAT_BIN', '?')}.",
        "",
        f"Guarantees: {len(REPORT.failures)} failed" + (": " + "; ".join(REPORT.failures) if REPORT.failures else "."),
    ]
    text = "\n".join(head + REPORT.lines) + "\n"
    print(text)
    with open(os.path.join(OUT, "scale.md"), "w") as f:
        f.write(text)
    with open(os.path.join(OUT, "scale.json"), "w") as f:
        json.dump(REPORT.data, f, indent=1)
    raise SystemExit(1 if REPORT.failures else 0)


if __name__ == "__main__":
    main()
