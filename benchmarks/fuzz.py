"""The long run of the fuzz harness (tests/fuzzing.py) over every
line-protocol lab server: SMTP, POP3, IMAP, NNTP, FTP, telnet, HTTP.

`make test` runs a short, seeded pass (tests/test_fuzz.py); this one runs
``--seconds`` per server (default 30) with a fresh seed per run, and prints
per server the sessions and command lines sent, their rate, and the result
(every property held, or the first one broken, with a replayable seed).
Loopback only; bounded in time.

    PYTHONPATH=. python benchmarks/fuzz.py [--seconds 30] [--seed N] [--only imap,ftp]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from tests.fuzzing import SPECS, FuzzFailure, run  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=30.0, help="per server")
    ap.add_argument("--seed", type=int, default=int(time.time()))
    ap.add_argument("--only", default="", help="comma-separated protocols")
    args = ap.parse_args()
    names = [n for n in SPECS if not args.only or n in args.only.split(",")]
    print(f"fuzz: {args.seconds:g} s per server, seed {args.seed}")
    print(f"{'server':8} {'sessions':>9} {'lines':>9} {'lines/s':>9}  result")
    failed = 0
    total = 0
    for name in names:
        t0 = time.monotonic()
        with tempfile.TemporaryDirectory(prefix=f"nb-fuzz-{name}-") as tmp:
            try:
                r = run(SPECS[name], Path(tmp), sessions=10**9, seed=args.seed, deadline=t0 + args.seconds)
                result = "ok: every property held"
            except FuzzFailure as e:
                r, failed = {"sessions": 0, "lines": 0}, failed + 1
                result = f"FAILED (replay: --seed {args.seed} --only {name}): {str(e)[:300]}"
        dt = time.monotonic() - t0
        total += r["lines"]
        print(f"{name:8} {r['sessions']:>9,} {r['lines']:>9,} {r['lines'] / dt:>9,.0f}  {result}", flush=True)
    print(f"total: {total:,} command lines, {len(names) - failed}/{len(names)} servers held every property")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
