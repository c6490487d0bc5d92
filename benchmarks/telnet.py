"""Telnet benchmark: netbook's client beside plain telnetlib, against the
lab server (loopback only, bounded; a few seconds).

Both talk to the same ``nb.serve.telnet("echo")``; best of R rounds:

1. round trips: a session (connect, option negotiation, N lines each sent
   and read back until its echo, close) with plain ``telnetlib.Telnet``
   (which refuses every option) and with ``nb.telnet`` (answers the options
   as a terminal would, records every byte in a transcript, checks each line
   for CR/LF injection);
2. bulk: M lines written at once, read back until the last one.

Every run checks that every line came back.

    PYTHONPATH=. python benchmarks/telnet.py [--lines 2000] [--bulk 20000] [--rounds 3]
"""
from __future__ import annotations

import argparse
import os
import sys
import time
import warnings

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
warnings.filterwarnings("ignore", category=DeprecationWarning)

import telnetlib  # noqa: E402

import netbook as nb  # noqa: E402


def _best(fn, rounds):
    best, out = float("inf"), None
    for _ in range(rounds):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def plain_round_trips(host, port, n):
    def run():
        tn = telnetlib.Telnet(host, port, timeout=10)
        got = 0
        for i in range(n):
            want = f"line {i}\r\n".encode()
            tn.write(want)
            got += tn.read_until(want, 10).endswith(want)
        tn.close()
        return got
    return run


def nb_round_trips(url, n):
    def run():
        c = nb.telnet(url, timeout=10)
        got = 0
        for i in range(n):
            c.send(f"line {i}")
            got += c.read_until(f"line {i}\r\n").endswith(f"line {i}\r\n")
        c.close()
        return got
    return run


def plain_bulk(host, port, m):
    def run():
        tn = telnetlib.Telnet(host, port, timeout=10)
        tn.write(b"".join(b"bulk %d\r\n" % i for i in range(m)))
        data = tn.read_until(b"bulk %d\r\n" % (m - 1), 30)
        tn.close()
        return data.count(b"\r\n")
    return run


def nb_bulk(url, m):
    def run():
        c = nb.telnet(url, timeout=30)
        c.send_raw(b"".join(b"bulk %d\r\n" % i for i in range(m)))
        data = c.read_until(f"bulk {m - 1}\r\n")
        c.close()
        return data.count("\r\n")
    return run


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=2000)
    ap.add_argument("--bulk", type=int, default=20000)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    srv = nb.serve.telnet("echo", name="bench-telnet", max_commands=10**9, max_line=1024)
    try:
        host, port, url = srv.host, srv.port, f"telnet://{srv.host}:{srv.port}"
        t_plain, got = _best(plain_round_trips(host, port, a.lines), a.rounds)
        assert got == a.lines, f"telnetlib: {got} of {a.lines} echoes"
        t_nb, got = _best(nb_round_trips(url, a.lines), a.rounds)
        assert got == a.lines, f"nb.telnet: {got} of {a.lines} echoes"
        print(f"1. {a.lines} round trips: plain telnetlib {t_plain * 1000:.0f} ms, nb.telnet {t_nb * 1000:.0f} ms: "
              f"{t_plain / t_nb:.2f}x the speed (option answers, transcript, CR/LF checks)")
        t_plain, got = _best(plain_bulk(host, port, a.bulk), a.rounds)
        assert got >= a.bulk, f"telnetlib bulk: {got} of {a.bulk} lines"
        t_nb, got = _best(nb_bulk(url, a.bulk), a.rounds)
        assert got >= a.bulk, f"nb.telnet bulk: {got} of {a.bulk} lines"
        print(f"2. {a.bulk} lines in bulk: plain telnetlib {t_plain * 1000:.0f} ms, nb.telnet {t_nb * 1000:.0f} ms: "
              f"{t_plain / t_nb:.2f}x the speed")
    finally:
        srv.stop()


if __name__ == "__main__":
    main()
