"""fetch_many against aiohttp, httpx.AsyncClient and a sequential urllib loop;
nb.Session (keep-alive) against requests.Session and httpx.Client.

2,000 GETs of a small file from a local nginx (one worker process, C, so the
server is not the bottleneck), at the same concurrency for every client.
Targets: fetch_many >= 0.7x aiohttp and >= 8x the sequential loop.

Two scenarios: a static 2-byte file (no latency at all: every client is
CPU-bound, so "x sequential" is the ratio of CPU per request) and the same
answer after 5 ms of server think time (nginx echo_sleep; closer to a real
network, where concurrency is what pays).

Then 200 sequential GETs in one session: nb.Session against requests.Session
and httpx.Client (each keeps one connection alive; nginx's
$connection_requests proves it) and against nb.fetch, which opens a
connection per request.

    PYTHONPATH=$PWD /tmp/v311/bin/python benchmarks/fetch.py [N] [CONCURRENCY]
"""
from __future__ import annotations

import asyncio
import os
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from tests.http.nginx_peer import Nginx  # noqa: E402

import netbook as nb  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
C = int(sys.argv[2]) if len(sys.argv) > 2 else 16
ROUNDS = int(os.environ.get("ROUNDS", 5))


def bench_fetch_many(urls):
    t = time.perf_counter()
    df = nb.fetch_many(urls, concurrency=C, per_host=C, show=False)
    dt = time.perf_counter() - t
    assert (df["status"] == 200).all(), df["error"].unique()
    return dt


def bench_aiohttp(urls):
    import aiohttp

    async def main():
        conn = aiohttp.TCPConnector(limit=C, limit_per_host=C)
        async with aiohttp.ClientSession(connector=conn) as s:
            it = iter(urls)

            async def worker():
                for u in it:
                    async with s.get(u) as r:
                        await r.read()
                        assert r.status == 200

            t = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(C)))
            return time.perf_counter() - t

    return asyncio.run(main())


def bench_httpx(urls):
    import httpx

    async def main():
        async with httpx.AsyncClient(limits=httpx.Limits(max_connections=C, max_keepalive_connections=C)) as c:
            it = iter(urls)

            async def worker():
                for u in it:
                    r = await c.get(u)
                    assert r.status_code == 200

            t = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(C)))
            return time.perf_counter() - t

    return asyncio.run(main())


def bench_sequential(urls):
    t = time.perf_counter()
    for u in urls:
        with urllib.request.urlopen(u) as r:
            r.read()
    return time.perf_counter() - t


def scenario(url, n, seq_n, title):
    urls = [url] * n
    results = {}
    clients = [("fetch_many", bench_fetch_many, n), ("aiohttp", bench_aiohttp, n),
               ("httpx.AsyncClient", bench_httpx, n), ("sequential urllib", bench_sequential, seq_n)]
    cpu = {}
    for _ in range(ROUNDS):  # rounds interleave the clients, so a burst of load elsewhere hits all of them
        for name, fn, k in clients:
            c0 = time.process_time()
            results[name] = max(results.get(name, 0.0), k / fn(urls[:k]))
            cpu[name] = min(cpu.get(name, 1e9), (time.process_time() - c0) / k * 1e6)
    base = results["fetch_many"]
    print(f"{title}: {n:,} GETs at concurrency {C} (best of {ROUNDS} interleaved rounds; sequential: {seq_n} GETs)")
    print("  (client CPU per request is steadier than req/s on a shared machine)")
    for name, rps in results.items():
        print(f"  {name:<20} {rps:>9,.0f} req/s   fetch_many is {base / rps:5.2f}x   "
              f"client CPU {cpu[name]:5.0f} us/request")
    print(f"  targets: >= 0.7x aiohttp: {base / results['aiohttp']:.2f}x "
          f"({'met' if base / results['aiohttp'] >= 0.7 else 'MISSED'}); "
          f">= 8x sequential: {base / results['sequential urllib']:.1f}x "
          f"({'met' if base / results['sequential urllib'] >= 8 else 'MISSED'})")


def _session_nb(url, n):
    with nb.Session() as s:
        t = time.perf_counter()
        last = [s.get(url).text for _ in range(n)][-1]
        dt = time.perf_counter() - t
    return dt, last


def _session_requests(url, n):
    import requests

    with requests.Session() as s:
        t = time.perf_counter()
        last = [s.get(url).text for _ in range(n)][-1]
        return time.perf_counter() - t, last


def _session_httpx(url, n):
    import httpx

    with httpx.Client() as c:
        t = time.perf_counter()
        last = [c.get(url).text for _ in range(n)][-1]
        return time.perf_counter() - t, last


def _fetch_loop(url, n):
    t = time.perf_counter()
    last = [nb.fetch(url).text for _ in range(n)][-1]
    return time.perf_counter() - t, last


def session_scenario(url, n=200):
    clients = [("nb.Session", _session_nb), ("requests.Session", _session_requests),
               ("httpx.Client", _session_httpx), ("nb.fetch (no reuse)", _fetch_loop)]
    results, cpu, reqs_on_conn = {}, {}, {}
    for _ in range(ROUNDS):
        for name, fn in clients:
            c0 = time.process_time()
            dt, last = fn(url, n)
            results[name] = max(results.get(name, 0.0), n / dt)
            cpu[name] = min(cpu.get(name, 1e9), (time.process_time() - c0) / n * 1e6)
            reqs_on_conn[name] = int(last.split()[1])  # nginx: requests on the connection of the last GET
    base = results["nb.Session"]
    print(f"Session keep-alive: {n} sequential GETs in one session (best of {ROUNDS} interleaved rounds)")
    for name, rps in results.items():
        print(f"  {name:<20} {rps:>9,.0f} req/s   nb.Session is {base / rps:5.2f}x   "
              f"client CPU {cpu[name]:5.0f} us/request   requests on the last connection: {reqs_on_conn[name]}")
    assert reqs_on_conn["nb.Session"] == n, "nb.Session did not keep its connection alive"


def main():
    with Nginx() as srv:
        scenario(srv.url + "tiny.txt", N, min(N, 400), "static file, no latency")
        if srv.has_echo:
            scenario(srv.url + "delay", N // 2, 100, "5 ms server think time")
        session_scenario(srv.url + "conn")


if __name__ == "__main__":
    main()
