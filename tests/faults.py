"""Real faults for the fault tests: a small tmpfs that fills up or turns
read-only (root and mount(8) needed: a failure under CI=true, else a skip),
and a client process killed mid-transfer."""
from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time

import pytest

from tests.peers import CI


@contextlib.contextmanager
def small_fs(path, size: str = "256k"):
    """A tmpfs of ``size`` mounted on ``path`` (made); unmounted afterwards."""
    os.makedirs(path, exist_ok=True)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(path)],
                       capture_output=True, text=True, check=False) if os.geteuid() == 0 else None
    if r is None or r.returncode:
        msg = f"a small tmpfs is needed (root and mount): {r.stderr.strip() if r else 'not root'}"
        if CI:
            pytest.fail(msg)
        pytest.skip(msg)
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True, check=False)


def read_only(path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(path)], check=True, capture_output=True)


def files_under(path) -> list[str]:
    """Every regular file under ``path`` (relative)."""
    out = []
    for d, _, names in os.walk(path):
        out += [os.path.relpath(os.path.join(d, n), path) for n in names]
    return sorted(out)


def killed_mid_transfer(script: str, ready: bytes = b"ready") -> None:
    """Run ``script`` (Python) in a child process; once it prints ``ready``
    (it is then in the middle of a transfer), SIGKILL it."""
    p = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        line = p.stdout.readline()
        assert line.strip() == ready, (line, p.stderr.read() if p.poll() is not None else b"")
        time.sleep(0.2)  # the partial data reaches the server
    finally:
        p.send_signal(signal.SIGKILL)
        p.wait(10)


def wait_until(pred, timeout: float = 5.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")
