"""A self-signed HTTPS server on 127.0.0.1 (certificate made by openssl),
answering ``GET`` with ``secure hello`` (``/redirect-to?url=U``: a 302 to U)
and recording what it was sent."""
from __future__ import annotations

import contextlib
import http.server
import ssl
import subprocess
import threading
import urllib.parse

from tests.peers import require


@contextlib.contextmanager
def https_hello_server(directory):
    """Yields ``{"url", "ca", "port", "seen"}``; ``seen`` lists (path, headers) per request."""
    openssl = require("openssl")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    seen = []

    class Hello(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            seen.append((self.path, dict(self.headers)))
            if self.path.startswith("/redirect-to?url="):
                target = urllib.parse.unquote(self.path.split("=", 1)[1])
                self.send_response(302)
                self.send_header("Location", target)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = b"secure hello"
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hello)
    srv.daemon_threads = True
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        yield {"url": f"https://127.0.0.1:{srv.server_address[1]}/", "ca": str(cert), "port": srv.server_address[1],
               "seen": seen}
    finally:
        srv.shutdown()
        srv.server_close()
