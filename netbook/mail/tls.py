"""A throwaway certificate for lab servers' STARTTLS/TLS (openssl CLI)."""
from __future__ import annotations

import atexit
import os
import shutil
import ssl
import subprocess
import tempfile

from ..errors import NetbookError

__all__ = ["make_certificate", "server_context", "client_context"]

_cache: dict[str, tuple[str, str]] = {}


def make_certificate(hostname: str = "netbook.lab") -> tuple[str, str]:
    """(certfile, keyfile) of a self-signed certificate for ``hostname`` and
    127.0.0.1, made once per process by ``openssl req``."""
    if hostname in _cache and os.path.exists(_cache[hostname][0]):
        return _cache[hostname]
    openssl = shutil.which("openssl")
    if not openssl:
        raise NetbookError("STARTTLS needs the openssl command to make a lab certificate")
    d = tempfile.mkdtemp(prefix="netbook-tls-")
    atexit.register(shutil.rmtree, d, True)  # it holds a private key: gone when the process ends
    cert, key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "30",
         "-subj", f"/CN={hostname}", "-addext", f"subjectAltName=DNS:{hostname},DNS:localhost,IP:127.0.0.1"],
        check=True, capture_output=True, timeout=60,
    )
    _cache[hostname] = (cert, key)
    return cert, key


def server_context(hostname: str = "netbook.lab"):
    """(SSLContext for a server, path of its certificate)."""
    cert, key = make_certificate(hostname)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    return ctx, cert


def client_context(cafile: str | None = None, verify: bool = True):
    """A client context: verifies against ``cafile`` (a lab certificate) or
    the system store; ``verify=False`` only when asked."""
    ctx = ssl.create_default_context(cafile=cafile)
    if not verify:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    return ctx
