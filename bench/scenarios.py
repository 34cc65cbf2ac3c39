#!/usr/bin/env python3
"""HTTP benchmark runner of bench/http.sh (read that first): measures each scenario with wrk
against segstat, nginx serving the identical bytes from a file, and the peer servers that are
running (tipg for GeoJSON, Martin for tiles), then writes a Markdown report.

Standard library only. Everything it talks to is started by bench/http.sh; the addresses come
from the environment."""

import json
import math
import os
import re
import subprocess
import sys
import time
import urllib.request

OURS = os.environ["BENCH_OURS"]  # e.g. http://127.0.0.1:18080
NGINX = os.environ["BENCH_NGINX"]  # serves BENCH_WWW
TIPG = os.environ.get("BENCH_TIPG")  # unset when tipg is not running
MARTIN = os.environ.get("BENCH_MARTIN")
WWW = os.environ["BENCH_WWW"]
OUT = os.environ["BENCH_OUT"]
PID = int(os.environ["BENCH_PID"])
DURATION = os.environ.get("BENCH_DURATION", "10s")
CONNECTIONS = os.environ.get("BENCH_CONNECTIONS", "32")
POINTS = os.environ["BENCH_POINTS"]
LUA = os.path.join(os.path.dirname(__file__), "lua", "points.lua")


def tile_of(lon, lat, z):
    n = 2**z
    x = int((lon + 180) / 360 * n)
    r = math.radians(lat)
    y = int((1 - math.log(math.tan(r) + 1 / math.cos(r)) / math.pi) / 2 * n)
    return x, y


def tile(z):
    x, y = tile_of(18.07, 59.33, z)  # Stockholm
    return z, x, y


# name, our path, tipg path, martin path. Every path is asked of a warm server: the first
# request fills the caches, wrk measures the steady state; scenario 8 measures the cold one.
SCENARIOS = [
    ("1 tiny JSON (/v1/area-types)", "/v1/area-types", "/conformance", None),
    (
        "2 one RegSO, GeoJSON, full geometry",
        "/v1/collections/regso-2025/items/0180R001",
        "/collections/peer.regso/items/0180R001",
        None,
    ),
    (
        "3 one kommun's RegSO, simplified, with an indicator",
        "/v1/collections/regso-2025/items?municipality=0180&geometry=simplified"
        "&year=2023&indicator=employment_rate&limit=1000",
        "/collections/peer.regso_choropleth/items?municipality_code=0180&limit=1000",
        None,
    ),
    (
        "4a all 3,363 RegSO, coarse geometry",
        "/v1/collections/regso-2025/items?geometry=coarse&limit=10000",
        None,
        None,
    ),
    (
        "4b all 3,363 RegSO, full geometry",
        "/v1/collections/regso-2025/items?geometry=full&limit=10000",
        "/collections/peer.regso/items?limit=10000",
        None,
    ),
    (
        "5a /v1/data, one indicator, all RegSO, one year, JSON",
        "/v1/data?indicator=employment_rate&level=regso&year=2023&limit=10000",
        None,
        None,
    ),
    (
        "5b /v1/data, one indicator, all RegSO, one year, CSV",
        "/v1/data?indicator=employment_rate&level=regso&year=2023&limit=10000&f=csv",
        None,
        None,
    ),
    (
        "6a vector tile z6",
        "/v1/tiles/regso-2025/%d/%d/%d.mvt" % tile(6),
        None,
        "/regso/%d/%d/%d" % tile(6),
    ),
    (
        "6b vector tile z10",
        "/v1/tiles/regso-2025/%d/%d/%d.mvt" % tile(10),
        None,
        "/regso/%d/%d/%d" % tile(10),
    ),
]


# The bundled real data (BENCH_DATA=bundled) has no synthetic indicators: the scenarios of the
# issue #13 table instead (Stockholm's RegSO as a choropleth of area types, a kommun's summary).
if os.environ.get("BENCH_DATA") == "bundled":
    SCENARIOS = [
        SCENARIOS[0],
        SCENARIOS[1],
        (
            "3 Stockholm's RegSO, simplified, with area types",
            "/v1/collections/regso-2025/items?municipality=0180&geometry=simplified&limit=1000",
            None,
            None,
        ),
        SCENARIOS[3],
        ("5 /v1/municipalities/0180/summary", "/v1/municipalities/0180/summary", None, None),
        SCENARIOS[7],
        SCENARIOS[8],
    ]

CODINGS = ["gzip", "br"]
# nginx's file suffix for each coding (gzip_static, brotli_static).
SUFFIX = {"gzip": ".gz", "br": ".br"}


def fetch(url, headers=None, with_headers=False):
    req = urllib.request.Request(url, headers=headers or {})
    started = time.perf_counter()
    # urllib does not decode: a coded body is read as sent.
    with urllib.request.urlopen(req, timeout=300) as res:
        body = res.read()
        elapsed = time.perf_counter() - started
        if with_headers:
            return res.status, body, elapsed, res.headers
        return res.status, body, elapsed


def rss_mib():
    with open(f"/proc/{PID}/status") as f:
        fields = dict(line.split(":", 1) for line in f)
    return (
        int(fields["VmRSS"].split()[0]) / 1024,
        int(fields["VmHWM"].split()[0]) / 1024,
    )


def load():
    """The 1-minute load average: the machine may be shared with other work."""
    with open("/proc/loadavg") as f:
        return f.read().split()[0]


def cpu_seconds(pids):
    """User + system CPU time the processes used so far (every thread counted)."""
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def nginx_pids():
    """nginx's worker processes (they serve; the master only starts them)."""
    with open(os.path.join(OUT, "nginx", "nginx.pid")) as f:
        master = f.read().strip()
    out = subprocess.run(["pgrep", "-P", master], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def server_pids(base):
    return [PID] if base == OURS else nginx_pids() if base == NGINX else []


def wrk(base, path, script=None, coding=None):
    """wrk's figures, and the server's CPU time per request over the run: throughput on a
    shared machine moves with the load, the CPU a response costs much less."""
    pids = server_pids(base)
    cpu_before = cpu_seconds(pids)
    cmd = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}", "--latency", "--timeout", "30s"]
    if coding:
        cmd += ["-H", f"Accept-Encoding: {coding}"]
    env = dict(os.environ)
    if script:
        cmd += ["-s", script]
        env["WRK_POINTS"] = POINTS
    cmd.append(base + path)
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True).stdout
    cpu = cpu_seconds(pids) - cpu_before
    requests = int(re.search(r"(\d+) requests in", out).group(1))

    def latency(pct):
        m = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s)\b", out, re.M)
        if not m:
            return float("nan")
        v, unit = float(m.group(1)), m.group(2)
        return v / 1000 if unit == "us" else v * 1000 if unit == "s" else v

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {
        "rps": rps,
        "p50": latency(50),
        "p99": latency(99),
        "non2xx": int(bad.group(1)) if bad else 0,
        "socket_errors": errors.group(1).strip() if errors else "",
        "cpu_us": cpu / requests * 1e6 if pids and requests else None,
    }


def cell(r):
    if r is None:
        return "–"
    extra = f", {r['non2xx']} non-2xx" if r["non2xx"] else ""
    cpu = f", CPU {r['cpu_us']:,.0f} µs/req" if r.get("cpu_us") is not None else ""
    return f"{r['rps']:,.0f} req/s, p50 {r['p50']:.2f} ms, p99 {r['p99']:.2f} ms{cpu}{extra}"


def ratio(a, b):
    return f"{a['rps'] / b['rps']:.2f}×" if a and b and b["rps"] else "–"


def main():
    rows = []
    coded_rows = []
    results = {}
    for i, (name, ours, tipg, martin) in enumerate(SCENARIOS):
        status, body, first = fetch(OURS + ours)
        assert status == 200, (name, status)
        static = f"s{i}.bin"
        with open(os.path.join(WWW, static), "wb") as f:
            f.write(body)
        r_ours = wrk(OURS, ours)
        rss, _ = rss_mib()
        r_nginx = wrk(NGINX, "/" + static)
        r_peer, peer_name, peer_bytes = None, "", None
        if tipg and TIPG:
            _, peer_body, _ = fetch(TIPG + tipg)
            peer_bytes = len(peer_body)
            r_peer, peer_name = wrk(TIPG, tipg), "tipg"
        if martin and MARTIN:
            _, peer_body, _ = fetch(MARTIN + martin, {"Accept-Encoding": "identity"})
            peer_bytes = len(peer_body)
            r_peer, peer_name = wrk(MARTIN, martin), "Martin"
        results[name] = {
            "bytes": len(body),
            "first_ms": first * 1000,
            "ours": r_ours,
            "nginx": r_nginx,
            "peer": peer_name,
            "peer_result": r_peer,
            "peer_bytes": peer_bytes,
            "rss_mib": rss,
        }
        rows.append(
            f"| {name} | {len(body):,} | {cell(r_ours)} | {cell(r_nginx)} | {ratio(r_ours, r_nginx)} "
            f"| {peer_name + ': ' + cell(r_peer) if r_peer else '–'}"
            f"{' (' + format(peer_bytes, ',') + ' B)' if peer_bytes else ''} "
            f"| {ratio(r_ours, r_peer)} | {rss:.0f} | {load()} |"
        )
        print(rows[-1], flush=True)

        for coding in CODINGS:
            # Ours first: the first request stores the coded body, which nginx then serves.
            _, coded, first_coded, headers = fetch(
                OURS + ours, {"Accept-Encoding": coding}, with_headers=True
            )
            assert headers.get("Content-Encoding") == coding, (name, coding, dict(headers))
            with open(os.path.join(WWW, static + SUFFIX[coding]), "wb") as f:
                f.write(coded)
            _, from_nginx, _, nginx_headers = fetch(
                NGINX + "/" + static, {"Accept-Encoding": coding}, with_headers=True
            )
            assert from_nginx == coded and nginx_headers.get("Content-Encoding") == coding, (
                "nginx must serve the identical coded bytes",
                name,
                coding,
                dict(nginx_headers),
            )
            r_ours = wrk(OURS, ours, coding=coding)
            rss, _ = rss_mib()
            r_nginx = wrk(NGINX, "/" + static, coding=coding)
            results[f"{name}, {coding}"] = {
                "bytes": len(coded),
                "first_ms": first_coded * 1000,
                "ours": r_ours,
                "nginx": r_nginx,
                "rss_mib": rss,
            }
            coded_rows.append(
                f"| {name} | {coding} | {len(coded):,} | {cell(r_ours)} | {cell(r_nginx)} "
                f"| {ratio(r_ours, r_nginx)} | {rss:.0f} | {load()} |"
            )
            print(coded_rows[-1], flush=True)

    # 7: random points, not cacheable by URL. The first pass meets each set of areas for the
    # first time (a body built from the database); the second finds them in memory.
    for label in ["first pass", "second pass"]:
        r_lookup = wrk(OURS, "/", script=LUA)
        rss, peak = rss_mib()
        results[f"7 lookup, {label}"] = {"ours": r_lookup, "rss_mib": rss}
        lookup_row = (
            f"| 7 `/v1/lookup`, 5,000 random points inside Sweden, {label} | ~1,300 "
            f"| {cell(r_lookup)} | – | – | – | – | {rss:.0f} | {load()} |"
        )
        print(lookup_row, flush=True)
        rows.append(lookup_row)

    with open(os.path.join(OUT, "results.json"), "w") as f:
        json.dump({"scenarios": results, "peak_rss_mib": peak}, f, indent=1)
    with open(os.path.join(OUT, "report.md"), "w") as f:
        f.write(
            "| scenario | bytes | segstat | nginx, same bytes | segstat / nginx | peer | segstat / peer | segstat RSS MiB | load |\n"
            "|---|---|---|---|---|---|---|---|---|\n"
        )
        f.write("\n".join(rows) + "\n")
        f.write(
            "\nWith `Accept-Encoding` (nginx: `gzip_static` / `brotli_static` serving the bytes "
            "segstat sent):\n\n"
            "| scenario | coding | bytes | segstat | nginx, same bytes | segstat / nginx | segstat RSS MiB | load |\n"
            "|---|---|---|---|---|---|---|---|\n"
        )
        f.write("\n".join(coded_rows) + "\n")
        f.write(f"\nsegstat peak RSS over the run: {peak:.0f} MiB\n")
    print(f"segstat peak RSS over the run: {peak:.0f} MiB")


def cold(label, coding=None):
    """Scenario 8: the first request of each scenario on a server that has just (re)started or
    just seen a new data version; with `coding`, both requests send that `Accept-Encoding`."""
    lines = []
    headers = {"Accept-Encoding": coding} if coding else {}
    if coding:
        label = f"{label}, {coding}"
    for name, ours, _, _ in SCENARIOS + [("7 lookup", "/v1/lookup?lon=18.07&lat=59.33", None, None)]:
        status, body, first = fetch(OURS + ours, headers)
        _, _, second = fetch(OURS + ours, headers)
        lines.append(f"| {label} | {name} | {status} | {first * 1000:.1f} ms | {second * 1000:.1f} ms |")
        print(lines[-1], flush=True)
    with open(os.path.join(OUT, "cold.md"), "a") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "cold":
        cold(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
    else:
        main()
