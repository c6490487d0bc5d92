"""News benchmarks (loopback only, bounded; a few seconds).

The same N articles (a thread every 10) are posted with nntplib to
``nb.serve.nntp`` and, when Debian's inn2 is installed, to a throwaway INN 2.
Then, best of R rounds:

1. server: plain nntplib ``OVER first-last`` (one command) from netbook's
   server beside INN (articles/s and the ratio; INN is the yardstick);
2. client: ``nb.news(...).overview()`` (batches of 500, transcript, a
   DataFrame with parsed dates) beside plain nntplib ``over()`` on the same
   server (the cost of netbook's table on top of the protocol).

Every run checks that all N articles came back with the right subjects.

    PYTHONPATH=. python benchmarks/news.py [--articles 2000] [--rounds 3]
"""
from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
import warnings

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
warnings.filterwarnings("ignore", category=DeprecationWarning)

import nntplib  # noqa: E402

import netbook as nb  # noqa: E402


def _post_all(host, port, group, n):
    c = nntplib.NNTP(host, port, readermode=True)
    for i in range(n):
        refs = f"References: <t{i - i % 10}@bench.lab>\r\n" if i % 10 else ""
        c.post((f"From: s{i % 7}@bench.lab\r\nNewsgroups: {group}\r\nSubject: article {i}\r\n"
                f"Message-ID: <t{i}@bench.lab>\r\n{refs}\r\nbody {i}\r\n" + "lorem ipsum " * 20 + "\r\n").encode())
    c.quit()


def _best(fn, rounds):
    best, out = float("inf"), None
    for _ in range(rounds):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def _plain_over(host, port, group, n):
    def run():
        c = nntplib.NNTP(host, port, readermode=True)
        _, count, first, last, _ = c.group(group)
        _, items = c.over((first, last))
        c.quit()
        return [ov["subject"] for _, ov in items]
    return run


def _check(subjects, n, what):
    want = [f"article {i}" for i in range(n)]
    if list(subjects) != want:
        raise SystemExit(f"{what}: wrong overview ({len(subjects)} of {n})")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    n = a.articles

    srv = nb.serve.nntp(groups={"lab.bench": "benchmark"}, name="bench-news")
    t = time.perf_counter()
    _post_all(srv.host, srv.port, "lab.bench", n)
    print(f"posted {n} articles to serve.nntp in {time.perf_counter() - t:.2f} s")

    inn = contextlib.nullcontext(None)
    if os.access("/usr/lib/news/bin/innd", os.X_OK) and os.geteuid() == 0:
        from tests.news.inn import start_inn

        inn = start_inn(groups=("lab.bench",))
    with inn as peer:
        t_nb, subj = _best(_plain_over(srv.host, srv.port, "lab.bench", n), a.rounds)
        _check(subj, n, "serve.nntp")
        print(f"1. OVER {n} via nntplib: serve.nntp {t_nb * 1000:.0f} ms ({n / t_nb:,.0f} articles/s)")
        if peer is not None:
            host, port, _ = peer
            t = time.perf_counter()
            _post_all(host, port, "lab.bench", n)
            print(f"   (posted {n} articles to INN in {time.perf_counter() - t:.2f} s)")
            t_inn, subj = _best(_plain_over(host, port, "lab.bench", n), a.rounds)
            _check(subj, n, "INN")
            print(f"   INN 2 {t_inn * 1000:.0f} ms ({n / t_inn:,.0f} articles/s); serve.nntp/INN speed ratio {t_inn / t_nb:.2f}")
        else:
            print("   INN 2 not available (apt-get install inn2, run as root): no yardstick")

        def nb_over():
            with nb.news(srv.url + "/lab.bench") as c:
                return list(c.overview()["subject"])
        t_df, subj = _best(nb_over, a.rounds)
        _check(subj, n, "nb.news")
        print(f"2. nb.news(...).overview() {t_df * 1000:.0f} ms beside plain nntplib {t_nb * 1000:.0f} ms: "
              f"{t_nb / t_df:.2f}x the speed (a DataFrame with parsed dates, a transcript, batches of 500)")
    srv.stop()


if __name__ == "__main__":
    main()
