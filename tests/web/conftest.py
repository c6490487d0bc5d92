import socket
import subprocess

import pytest

from tests.peers import require


def raw_request(port: int, data: bytes, timeout: float = 5.0) -> bytes:
    """Send raw bytes to 127.0.0.1:port, read until the server closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        chunks = []
        while True:
            try:
                chunk = s.recv(65536)
            except (TimeoutError, socket.timeout):
                break
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


def status_of(response: bytes) -> int:
    return int(response.split(b" ", 2)[1])


@pytest.fixture
def curl():
    exe = require("curl")

    def run(*args, check_code=True):
        r = subprocess.run([exe, "-sS", *args], capture_output=True, timeout=30)
        return r

    return run


@pytest.fixture
def site(tmp_path):
    root = tmp_path / "site"
    (root / "sub").mkdir(parents=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("TOP-SECRET\n")
    (root / "hello.txt").write_text("hello world\n")
    (root / "data.bin").write_bytes(bytes(range(256)) * 4)
    (root / "sub" / "<img src=x onerror=alert(1)>.txt").write_text("x")
    (root / "link-out.txt").symlink_to(outside / "secret.txt")
    (root / "dir-out").symlink_to(outside)
    return root
