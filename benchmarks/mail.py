"""Mail benchmarks (loopback only, bounded; a few seconds each).

1. The catcher: 8 concurrent smtplib clients send 2,000 messages to
   ``nb.serve.smtp`` (stores every message in a Maildir) and to a bare
   aiosmtpd ``Sink`` (discards them).  Reports messages/s of both, the
   ratio (target >= 0.8 for the default temporary store; a store on disk
   is reported beside it), and checks that every message was stored (count
   and a content hash of each body).
2. Listing headers of 10,000 messages from Dovecot: ``nb.mail.IMAP.headers()``
   beside imap-tools (``fetch(headers_only=True, bulk=True, mark_seen=False)``)
   on the same warm folder (target: no slower, and under 3 s).

    PYTHONPATH=. python benchmarks/mail.py [--messages 2000] [--rounds 5] [--imap 10000]
"""
from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import smtplib
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import netbook as nb  # noqa: E402
from netbook.mail.store import MailStore  # noqa: E402


def _messages(n):
    return [(f"From: sender@bench.lab\r\nTo: rcpt{i % 8}@bench.lab\r\nSubject: message {i}\r\n"
             f"Message-ID: <{i}@bench.lab>\r\n\r\nbody of message {i}\r\n" + "lorem ipsum " * 40 + "\r\n").encode()
            for i in range(n)]


def _blast(host, port, msgs, clients=8):
    chunks = [msgs[i::clients] for i in range(clients)]
    errors = []

    def run(chunk):
        try:
            with smtplib.SMTP(host, port, timeout=30) as c:
                for m in chunk:
                    i = int(m.split(b"Subject: message ", 1)[1].split(b"\r\n", 1)[0])
                    c.sendmail("sender@bench.lab", [f"rcpt{i % 8}@bench.lab"], m)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=run, args=(c,)) for c in chunks]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    dt = time.perf_counter() - t0
    if errors:
        raise RuntimeError(f"{len(errors)} client(s) failed: {errors[0]!r}")
    return dt


def _blast_elsewhere(port, n, clients=8):
    """Run the 8 clients in another process, so they do not share the
    server's GIL (the same for both servers); returns seconds."""
    import subprocess

    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--client", str(port), str(n), str(clients)],
                         capture_output=True, text=True, timeout=300)
    if out.returncode:
        raise RuntimeError(out.stderr[-2000:])
    return float(out.stdout.strip().splitlines()[-1])


def _check_stored(store, msgs):
    """Nothing lost: the count and the content of every stored body."""
    sent = sorted(hashlib.sha256(m.split(b"\r\n\r\n", 1)[1].replace(b"\r\n", b"\n")).hexdigest() for m in msgs)
    stored = []
    for user in store.users():
        f = store.folder(user)
        for e in f.snapshot():
            stored.append(hashlib.sha256(f.raw(e).split(b"\n\n", 1)[1]).hexdigest())
    assert len(stored) == len(msgs), f"stored {len(stored)} of {len(msgs)}"
    assert sorted(stored) == sent, "stored content differs from what was sent"


def bench_catcher(n: int, rounds: int = 5):
    """Three servers per round, in rotating order: the bare Sink, the catcher
    with its default temporary store (``nb.serve.smtp()`` as a user starts
    it: in RAM when /dev/shm has room) and the catcher with a store on disk
    (``MailStore(path)``, here under the temporary folder)."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Sink

    from netbook.mail.store import temporary_root
    from netbook.servers.base import free_port

    msgs = _messages(n)
    times: dict[str, list[float]] = {"sink": [], "default": [], "disk": []}
    # stores are removed after the last round: deleting thousands of files
    # slows the file creations that follow on this machine's ext4 (mounted
    # with discard), which would be charged to whichever round came next
    stores = []

    def run_sink():
        ctl = Controller(Sink(), hostname="127.0.0.1", port=free_port())
        ctl.start()
        try:
            times["sink"].append(_blast_elsewhere(ctl.port, n))
        finally:
            ctl.stop()

    def run_catcher(kind):
        store = MailStore() if kind == "default" else MailStore(tempfile.mkdtemp(prefix="netbook-bench-"))
        srv = nb.serve.smtp(store, name="bench-smtp")
        try:
            times[kind].append(_blast_elsewhere(srv.port, n))
        finally:
            srv.stop()
        _check_stored(store, msgs)
        stores.append(store)

    order = [run_sink, lambda: run_catcher("default"), lambda: run_catcher("disk")]
    for r in range(rounds):  # rotate who goes first: the machine's load drifts
        for run in order[r % 3:] + order[: r % 3]:
            run()
    for store in stores:
        shutil.rmtree(store.root, ignore_errors=True)

    def median_ratio(kind):
        ratios = sorted(s / c for s, c in zip(times["sink"], times[kind]))
        return ratios[len(ratios) // 2], ratios

    ram = temporary_root()
    print(f"catcher: {n} messages, 8 smtplib clients (in another process), {rounds} rounds")
    print(f"  bare aiosmtpd Sink                 {' '.join(f'{n / t:6.0f}' for t in times['sink'])} msg/s")
    print(f"  nb.serve.smtp(), default store     {' '.join(f'{n / t:6.0f}' for t in times['default'])} msg/s"
          f"   ({'in RAM: ' + ram if ram else 'on disk: ' + tempfile.gettempdir()})")
    print(f"  nb.serve.smtp(MailStore(path))     {' '.join(f'{n / t:6.0f}' for t in times['disk'])} msg/s"
          f"   (on disk: {tempfile.gettempdir()})")
    ratio, per_round = median_ratio("default")
    disk, disk_rounds = median_ratio("disk")
    print(f"  default store: median ratio {ratio:.2f} (target >= 0.8); per round {', '.join(f'{x:.2f}' for x in per_round)}")
    print(f"  store on disk: median ratio {disk:.2f}; per round {', '.join(f'{x:.2f}' for x in disk_rounds)}")
    print(f"  stored: {n}/{n} messages in every round of both, content hashes match")
    return ratio


def bench_imap(n: int):
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    from tests.mail.dovecot import start_dovecot

    try:
        from imap_tools import MailBoxUnencrypted
    except ImportError:
        print("imap listing: imap-tools is not installed (pip install imap-tools); skipped")
        return None
    if not shutil.which("dovecot") and not os.path.exists("/usr/sbin/dovecot"):
        print("imap listing: dovecot is not installed (make peers); skipped")
        return None
    with start_dovecot() as d:
        md = d.maildir("bench")
        for i in range(n):
            md.add(f"From: Sender {i % 50} <s{i % 50}@example.org>\nTo: bench@example.org\nSubject: message {i}\n"
                   f"Date: Mon, 02 Mar 2026 10:{i % 60:02d}:00 +0000\nMessage-ID: <{i}@example.org>\n\nbody {i}\n".encode())
        d.fix_owner("bench")
        # warm Dovecot's index so both clients list the same warm folder
        with nb.mail.IMAP(d.imap_url("bench"), password=d.password) as m:
            assert m.count == n
        t_nb, t_it = [], []
        for _ in range(3):
            t0 = time.perf_counter()
            with nb.mail.IMAP(d.imap_url("bench"), password=d.password) as m:
                df = m.headers()
            t_nb.append(time.perf_counter() - t0)
            assert len(df) == n and df["subject"].iloc[-1] == f"message {n - 1}"
            t0 = time.perf_counter()
            with MailBoxUnencrypted("127.0.0.1", port=d.imap_port).login("bench", d.password, "INBOX") as mb:
                rows = [(msg.uid, msg.flags, msg.date, msg.from_, msg.to, msg.subject, msg.size)
                        for msg in mb.fetch(headers_only=True, bulk=True, mark_seen=False)]
            t_it.append(time.perf_counter() - t0)
            assert len(rows) == n
    a, b = min(t_nb), min(t_it)
    print(f"imap listing: headers of {n} messages from Dovecot, best of 3")
    print(f"  imap-tools (headers_only, bulk)  {b:6.2f} s")
    print(f"  nb.mail.IMAP.headers()            {a:6.2f} s   ratio {b / a:.2f}x imap-tools' speed (target >= 1, < 3 s)")
    return a, b


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "--client":
        port, n, clients = map(int, sys.argv[2:])
        print(_blast("127.0.0.1", port, _messages(n), clients))
        return
    p = argparse.ArgumentParser()
    p.add_argument("--messages", type=int, default=2000)
    p.add_argument("--imap", type=int, default=10000, help="messages in the IMAP listing (0: skip it)")
    p.add_argument("--rounds", type=int, default=5)
    o = p.parse_args()
    if o.messages:
        bench_catcher(o.messages, o.rounds)
    if o.imap:
        bench_imap(o.imap)


if __name__ == "__main__":
    main()
