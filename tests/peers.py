"""Real peers for the tests: find them, or fail under CI (never a silent skip)."""
from __future__ import annotations

import os
import shutil
import socket
import time

import pytest

CI = os.environ.get("CI") == "true"


def require(program: str, *alternatives: str) -> str:
    """Path of ``program`` (or an alternative path).  Missing: a failure
    under ``CI=true``, a skip on a developer machine."""
    for p in (program, *alternatives):
        found = shutil.which(p) or (p if os.path.isabs(p) and os.access(p, os.X_OK) else None)
        if found:
            return found
    msg = f"real peer {program!r} is not installed (make peers installs it)"
    if CI:
        pytest.fail(msg)
    pytest.skip(msg)


def wait_for_port(port: int, proc=None, name: str = "server", why=lambda: "", timeout: float = 10) -> None:
    """Wait until 127.0.0.1:``port`` accepts connections.  If the peer's
    process ``proc`` exits first, or time runs out, raise with ``why()``
    (e.g. the peer's log) in the message."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            if proc is not None and proc.poll() is not None:
                raise RuntimeError(f"{name} exited: {why()}") from None
            time.sleep(0.02)
    raise RuntimeError(f"{name} did not start within {timeout:g} s: {why()}")
