"""tinyproxy (Debian's tinyproxy-bin) as an independent HTTP proxy peer.

Started in the foreground (``-d``) on a free 127.0.0.1 port with its own
config and log file; ``requests()`` reads the request lines it logged
(``GET http://...`` for plain http, ``CONNECT host:port`` for https);
``stop()`` ends that process.
"""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import tempfile
import time

from tests.peers import wait_for_port

TINYPROXY = shutil.which("tinyproxy")
_REQUEST = re.compile(r"Request \(file descriptor \d+\): (.*)$")


class Tinyproxy:
    def __init__(self, user: str | None = None, password: str | None = None):
        self.dir = tempfile.mkdtemp(prefix="nb-tinyproxy-")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.logfile = os.path.join(self.dir, "tinyproxy.log")
        conf = [f"Port {self.port}", "Listen 127.0.0.1", "Timeout 15", "LogLevel Connect", "MaxClients 64",
                "Allow 127.0.0.1", "DisableViaHeader Yes", f'LogFile "{self.logfile}"',
                f'PidFile "{self.dir}/tinyproxy.pid"']
        if user:
            conf.append(f"BasicAuth {user} {password}")
        self.conf = os.path.join(self.dir, "tinyproxy.conf")
        with open(self.conf, "w") as f:
            f.write("\n".join(conf) + "\n")
        self.proc = subprocess.Popen([TINYPROXY, "-d", "-c", self.conf], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        try:
            wait_for_port(self.port, self.proc, "tinyproxy",
                          lambda: open(self.logfile).read() if os.path.exists(self.logfile) else "")
        except RuntimeError:
            self.stop()
            raise
        self._probe_lines = len(self.requests())  # the readiness probe's connect is not a request

    @property
    def hostport(self) -> str:
        return f"127.0.0.1:{self.port}"

    def url(self, user: str | None = None, password: str | None = None) -> str:
        cred = f"{user}:{password}@" if user else ""
        return f"http://{cred}127.0.0.1:{self.port}"

    def requests(self, wait_for: int = 0) -> list[str]:
        """Request lines the proxy logged (waits up to 2 s for ``wait_for`` of them)."""
        deadline = time.time() + 2
        while True:
            try:
                with open(self.logfile, encoding="utf-8", errors="replace") as f:
                    lines = [m.group(1).strip() for m in map(_REQUEST.search, f) if m]
            except FileNotFoundError:
                lines = []
            if len(lines) >= wait_for or time.time() > deadline:
                return lines

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        shutil.rmtree(self.dir, ignore_errors=True)
