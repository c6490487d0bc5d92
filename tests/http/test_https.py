"""TLS: verified by default, one clear error otherwise; verify=False / a CA file."""
import http.server
import ssl
import subprocess
import threading

import pytest

import netbook as nb
from netbook.http.errors import TLSError
from tests.peers import require


@pytest.fixture(scope="module")
def https_server(tmp_path_factory):
    openssl = require("openssl")
    d = tmp_path_factory.mktemp("tls")
    cert, key = d / "cert.pem", d / "key.pem"
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)

    class H(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = b"secure hello"
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    th = threading.Thread(target=srv.serve_forever, daemon=True)
    th.start()
    yield f"https://127.0.0.1:{srv.server_address[1]}/", str(cert)
    srv.shutdown()
    srv.server_close()


def test_untrusted_certificate_is_one_clear_error(https_server):
    url, _ = https_server
    with pytest.raises(TLSError, match="not trusted|certificate|TLS"):
        nb.fetch(url, timeout=5)


def test_verify_false_and_ca_file(https_server):
    url, ca = https_server
    r = nb.fetch(url, verify=False, timeout=5)
    assert r.text == "secure hello" and r.timings["ssl"] >= 0
    r = nb.fetch(url, verify=ca, timeout=5)
    assert r.text == "secure hello"
    assert "GET / HTTP/1.1" in r.transcript.text()  # plaintext recorded after the handshake
    df = nb.fetch_many([url], verify=False)
    assert df["status"][0] == 200
    assert nb.fetch_many([url], verify=ca)["status"][0] == 200
    assert "TLS" in nb.fetch_many([url])["error"][0]
