"""TLS for every family: ``tls_context(verify, cafile)`` for clients, and a
throwaway certificate (openssl CLI) with ``server_context()`` for the lab
servers' STARTTLS/TLS (SMTP, POP3, IMAP, NNTP, FTPS)."""
from __future__ import annotations

import atexit

import os
import shutil
import ssl
import subprocess
import tempfile

from .errors import NetbookError

__all__ = ["tls_context", "make_certificate", "server_context", "client_context"]

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


def tls_context(verify: "bool | str | os.PathLike | ssl.SSLContext" = True, cafile: str | None = None, *,
                host: str | None = None, port: int | None = None) -> ssl.SSLContext:
    """The client context every family uses.  ``verify=True`` checks the
    certificate against ``cafile`` or the system store; a path names a CA
    file; an ``SSLContext`` is used as it is; ``verify=False`` skips the
    check (only when asked).  With ``host``/``port`` and no ``cafile``, the
    certificate of a running lab server there is trusted (its generated,
    self-signed one), so labs verify like real servers."""
    if isinstance(verify, ssl.SSLContext):
        return verify
    if isinstance(verify, (str, bytes, os.PathLike)):
        cafile, verify = os.fsdecode(verify), True
    if cafile is None and host is not None and port is not None:
        from .registry import lab_cafile

        cafile = lab_cafile(host, port)
    ctx = ssl.create_default_context(cafile=cafile)
    if not verify:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    return ctx


def client_context(cafile: str | None = None, verify: bool = True) -> ssl.SSLContext:
    """The older spelling of :func:`tls_context`."""
    return tls_context(verify, cafile)
