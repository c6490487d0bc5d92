"""FTP download benchmark (loopback only, bounded; a few seconds).

Downloads one file (50 MB by default) from ``nb.serve.ftp`` with:
  1. ``nb.ftp(...).get(remote, local)``   (netbook: SIZE, traced control, data summary)
  2. ``ftplib.FTP.retrbinary`` into a file (the plain standard library)
  3. ``curl -o`` (an independent client; its time includes starting the
     process and logging in, the Python clients keep one session)
and prints MB/s of each and nb.ftp's ratio to the other two (best of
``--rounds``).  Every download is checked byte for byte (SHA-256).

    PYTHONPATH=. python benchmarks/ftp.py [--mb 50] [--rounds 3]
"""
from __future__ import annotations

import argparse
import ftplib
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import netbook as nb  # noqa: E402


def sha(path):
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def best(fn, rounds, out):
    times = []
    for _ in range(rounds):
        if os.path.exists(out):
            os.remove(out)  # every client writes a fresh file (truncating a big one costs too)
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    size = a.mb * 1024 * 1024
    work = tempfile.mkdtemp(prefix="ftp-bench-")
    srv = nb.serve.ftp(name="bench")
    try:
        src = os.path.join(srv.home("alice"), "big.bin")
        with open(src, "wb") as fh:
            block = os.urandom(1 << 20)
            for _ in range(a.mb):
                fh.write(block)
        want = sha(src)
        out = os.path.join(work, "out.bin")
        results = {}

        client = nb.ftp(srv.user_url("alice"), password="pw", progress=False)

        def with_nb():
            client.get("big.bin", out)
        results["nb.ftp get"] = best(with_nb, a.rounds, out)
        assert sha(out) == want
        client.close()

        plain = ftplib.FTP()
        plain.connect("127.0.0.1", srv.port, timeout=30)
        plain.login("alice", "pw")

        def with_ftplib():
            with open(out, "wb") as fh:
                plain.retrbinary("RETR big.bin", fh.write, 256 * 1024)
        results["ftplib retrbinary"] = best(with_ftplib, a.rounds, out)
        assert sha(out) == want
        plain.quit()

        curl = shutil.which("curl")
        if curl:
            def with_curl():
                subprocess.run([curl, "-sS", "-u", "alice:pw", "-o", out, f"ftp://127.0.0.1:{srv.port}/big.bin"],
                               check=True, timeout=120)
            results["curl"] = best(with_curl, a.rounds, out)
            assert sha(out) == want
        for name, t in results.items():
            print(f"{name:20s} {size / t / 1e6:8.1f} MB/s  ({t * 1000:,.0f} ms for {a.mb} MiB, best of {a.rounds})")
        base = results["nb.ftp get"]
        for name, t in results.items():
            if name != "nb.ftp get":
                print(f"nb.ftp / {name}: {t / base:.2f}x the speed")
        print(f"server log rows: {len(srv.log.to_frame())}; all downloads verified (sha256)")
    finally:
        srv.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
