import os
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request

import pytest

import netbook as nb
from netbook.servers import base
from tests.peers import require


@pytest.fixture
def site(tmp_path):
    (tmp_path / "index.html").write_text("<h1>hello</h1>")
    (tmp_path / "data.txt").write_text("x" * 5000)
    return tmp_path


def get(url):
    with urllib.request.urlopen(url, timeout=5) as r:
        return r.status, r.read()


def netbook_threads():
    return [t for t in threading.enumerate() if t.name.startswith("netbook-") or "process_request" in t.name]


def test_http_serves_binds_loopback_and_logs(site):
    srv = nb.serve.http(site)
    assert srv.host == "127.0.0.1" and srv.port > 0 and srv.url == f"http://127.0.0.1:{srv.port}/"
    assert get(srv.url + "data.txt") == (200, b"x" * 5000)
    # the row is in the log as soon as the client has the whole response
    rows = srv.log.to_frame()
    assert list(rows.columns) == ["time", "peer", "request", "status", "bytes", "ms", "detail"]
    assert rows.request[0] == "GET /data.txt HTTP/1.1" and rows.status[0] == "200"
    assert rows.bytes[0] > 5000 and rows.peer[0].startswith("127.0.0.1:")
    assert srv.transcripts[0].to_frame().text[0] == "GET /data.txt HTTP/1.1"
    srv.stop()
    assert not srv.running


def test_same_name_replaces_the_old_server(site):
    a = nb.serve.http(site)
    b = nb.serve.http(site)
    assert not a.running and b.running and base.registry() == {"http": b}
    c = nb.serve.http(site, name="other")
    assert set(base.registry()) == {"http", "other"}
    with pytest.raises(urllib.error.URLError):
        get(a.url)
    assert get(c.url)[0] == 200
    nb.serve.stop("other")
    assert set(base.registry()) == {"http"}


def test_context_manager_and_no_leaks(site):
    before = set(threading.enumerate())
    with nb.serve.http(site) as srv:
        port = srv.port
        # a keep-alive client holding a connection open must not block stop()
        keep = socket.create_connection(("127.0.0.1", port))
        keep.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        keep.recv(100)
        get(srv.url)
    t0 = time.time()
    while time.time() - t0 < 3 and set(threading.enumerate()) - before:
        time.sleep(0.05)
    assert not (set(threading.enumerate()) - before)
    keep.close()
    with pytest.raises(ConnectionRefusedError):  # nothing listens any more
        socket.create_connection(("127.0.0.1", port), timeout=2)


def test_traversal_outside_the_folder_is_refused(site, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside")
    (outside / "secret.txt").write_text("TOP SECRET")
    os.symlink(outside / "secret.txt", site / "link.txt")
    srv = nb.serve.http(site)
    for path in ["/../" + outside.name + "/secret.txt", "/link.txt", "/%2e%2e/%2e%2e/etc/passwd"]:
        with socket.create_connection(("127.0.0.1", srv.port), timeout=5) as s:
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
            data = b""
            while chunk := s.recv(65536):
                data += chunk
        assert data.startswith(b"HTTP/1.1 404"), path
        assert b"TOP SECRET" not in data and b"root:" not in data


def test_curl_is_a_real_client(site):
    curl = require("curl")
    srv = nb.serve.http(site)
    out = subprocess.run([curl, "-sS", "-D", "-", srv.url + "index.html"], capture_output=True, text=True, timeout=20)
    assert out.returncode == 0 and "200 OK" in out.stdout and "<h1>hello</h1>" in out.stdout
    assert "curl/" in srv.transcripts[-1].text()


def test_bad_requests_do_not_kill_the_server(site):
    srv = nb.serve.http(site)
    for junk in [b"\x00\xff garbage\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n", b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n"]:
        with socket.create_connection(("127.0.0.1", srv.port), timeout=5) as s:
            s.sendall(junk)
            assert b"Error" in s.recv(4096)  # an error reply (garbage gets an HTTP/0.9-style one)
    assert get(srv.url)[0] == 200
    assert {"400", "414", "505"} & set(srv.log.to_frame().status)


def test_wsgi_app_logs_requests_and_errors():
    def app(environ, start_response):
        if environ["PATH_INFO"] == "/boom":
            raise RuntimeError("kaboom")
        body = f"hi {environ['QUERY_STRING']}".encode()
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
        return [body]

    srv = nb.serve.wsgi(app)
    assert get(srv.url + "?q=1") == (200, b"hi q=1")
    with pytest.raises(urllib.error.HTTPError) as e:
        get(srv.url + "boom")
    assert e.value.code == 500
    log = srv.log.to_frame()
    assert list(log.status) == ["200", "500"]
    assert "RuntimeError: kaboom" in log.detail[1]
    assert "Traceback" in srv.errors[0]


def test_wsgi_with_curl():
    curl = require("curl")

    def app(environ, start_response):
        n = int(environ.get("CONTENT_LENGTH") or 0)
        data = environ["wsgi.input"].read(n)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"got " + data]

    srv = nb.serve.wsgi(app)
    out = subprocess.run([curl, "-sS", "-d", "a=1", srv.url], capture_output=True, text=True, timeout=20)
    assert out.stdout == "got a=1"
    assert srv.log.to_frame().request[0] == "POST / HTTP/1.1"


def test_concurrent_requests_all_logged(site):
    srv = nb.serve.http(site)
    errors = []

    def worker():
        for _ in range(25):
            try:
                get(srv.url + "index.html")
            except Exception as e:  # pragma: no cover - reported below
                errors.append(e)

    ts = [threading.Thread(target=worker) for _ in range(8)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert not errors and srv.log.length == 200 and srv.requests == 200


def test_servers_table_and_repr(site):
    srv = nb.serve.http(site)
    get(srv.url)
    t = nb.servers()
    assert list(t.to_frame().name) == ["http"]
    assert "running" in repr(srv)
    bundle = srv._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert "GET / HTTP/1.1" in data["text/html"] and "running" in data["text/plain"]
    assert nb.serve.kinds() and "http" in nb.serve.kinds() and "wsgi" in dir(nb.serve)
    with pytest.raises(AttributeError, match="no lab server kind"):
        nb.serve.nosuchkind


def test_servers_list_follows_stop_all(site, ipython):
    """``%serve list`` is live: after ``%serve stop all`` it says stopped (and
    the static fallback too); a server started later joins it."""
    srv = nb.serve.http(site, name="live-a")
    t = ipython.run_line_magic("serve", "list")
    assert dict(zip(t.page_frame.name, t.page_frame.state))["live-a"] == "running"
    header = srv._repr_mimebundle_()
    ipython.run_line_magic("serve", "stop all")
    t.flush()
    assert set(t.page_frame.state) == {"stopped"} and "live-a" in list(t.page_frame.name)
    assert "running" not in t.static_html() and "stopped" in repr(t)
    assert "stopped" in srv._header() and "running" not in srv._header()
    assert header is not None
    nb.serve.http(site, name="live-b")
    t.flush()
    assert dict(zip(t.page_frame.name, t.page_frame.state)) == {"live-a": "stopped", "live-b": "running"}


def test_stop_all_at_exit_in_a_subprocess(site):
    import sys

    code = (
        "import netbook as nb, sys; s = nb.serve.http(sys.argv[1]); print(s.port, flush=True)"
    )
    out = subprocess.run([sys.executable, "-c", code, str(site)], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    port = int(out.stdout)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2)
