"""Proxies: chosen the way curl chooses them (same environment, same
decision: checked against curl itself), HTTPS through tinyproxy with
CONNECT, credentials never shown, CR/LF refused."""
import base64
import http.server
import json
import os
import socket
import subprocess
import threading

import pytest

import netbook as nb
from netbook.errors import InjectionError
from netbook.http.proxies import ProxyError, no_proxy_match, select_proxy
from tests.http.tls_peer import https_hello_server
from tests.peers import require

from .proxy_peer import Tinyproxy

USER, PASSWORD = "alice", "pr0xy-s3cret"
SECRETS = (PASSWORD, base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode())
PROXY_VARS = ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY",
              "no_proxy", "NO_PROXY")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for v in PROXY_VARS:
        monkeypatch.delenv(v, raising=False)
    return monkeypatch


@pytest.fixture(scope="module")
def tinyproxy():
    require("tinyproxy")
    p = Tinyproxy(USER, PASSWORD)
    yield p
    p.stop()


@pytest.fixture(scope="module")
def open_proxy():
    require("tinyproxy")
    p = Tinyproxy()
    yield p
    p.stop()


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    """A self-signed HTTPS server on 127.0.0.1 (the origin behind the proxy)."""
    with https_hello_server(tmp_path_factory.mktemp("tls-proxy")) as s:
        yield s


def _no_leak(*texts):
    for t in texts:
        for s in SECRETS:
            assert s not in t, f"proxy secret leaked: ...{t[max(0, t.find(s) - 60):t.find(s) + 20]}..."


# -- the decision, against curl's -------------------------------------------------------
class _Recorder:
    """A stand-in proxy that only records which request reached it (and answers 502)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.seen = []
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            with c:
                c.settimeout(5)
                try:
                    self.seen.append(c.recv(4096).split(b"\r\n")[0].decode())
                    c.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                except OSError:
                    pass

    def close(self):
        self.sock.close()


CASES = [  # (environment, curl's extra flags, URL host) -- P is the proxy
    ({"http_proxy": "P"}, [], "127.0.0.1"),
    ({"HTTP_PROXY": "P"}, [], "127.0.0.1"),  # upper case ignored (httpoxy), as curl does
    ({"all_proxy": "P"}, [], "127.0.0.1"),
    ({"ALL_PROXY": "P"}, [], "127.0.0.1"),
    ({"http_proxy": "", "all_proxy": "P"}, [], "127.0.0.1"),
    ({"https_proxy": "P"}, [], "127.0.0.1"),  # http URL: https_proxy does not apply
    ({"http_proxy": "P", "no_proxy": "127.0.0.1"}, [], "127.0.0.1"),
    ({"http_proxy": "P", "NO_PROXY": "127.0.0.0/8"}, [], "127.0.0.1"),
    ({"http_proxy": "P", "no_proxy": "", "NO_PROXY": "127.0.0.1"}, [], "127.0.0.1"),
    ({"http_proxy": "P", "no_proxy": "10.0.0.0/8"}, [], "127.0.0.1"),
    ({"http_proxy": "P", "no_proxy": "localhost"}, [], "127.0.0.1"),  # names never match an IP host
    ({"http_proxy": "P", "no_proxy": "*"}, [], "127.0.0.1"),
    ({"http_proxy": "P", "no_proxy": "*,foo"}, [], "127.0.0.1"),  # '*' only alone
    ({"http_proxy": "P", "no_proxy": "a 127.0.0.1"}, [], "127.0.0.1"),  # blanks separate too
    ({"http_proxy": "P", "no_proxy": "127.0.0.1:PORT"}, [], "127.0.0.1"),  # no ports in no_proxy
    ({"http_proxy": "P", "no_proxy": "127.0.0.1"}, ["--noproxy", ""], "127.0.0.1"),  # --noproxy overrides env
    ({"no_proxy": "127.0.0.1"}, ["-x", "P"], "127.0.0.1"),  # no_proxy applies to -x as well
    ({}, ["-x", "P", "--noproxy", "127.0.0.1"], "127.0.0.1"),
    ({"http_proxy": "P"}, ["-x", ""], "127.0.0.1"),  # -x "" : no proxy at all
    ({"http_proxy": "P", "no_proxy": "localhost"}, [], "localhost"),
    ({"http_proxy": "P", "no_proxy": ".localhost."}, [], "localhost"),
    ({"http_proxy": "P", "no_proxy": "example.test"}, [], "www.example.test"),
    ({"http_proxy": "P", "no_proxy": "EXAMPLE.test"}, [], "www.Example.test"),
    ({"http_proxy": "P", "no_proxy": ".example.test"}, [], "example.test"),
    ({"http_proxy": "P", "no_proxy": "example.test"}, [], "notexample.test"),
    ({"http_proxy": "P", "no_proxy": "*.example.test"}, [], "www.example.test"),  # no globs
    ({"http_proxy": "P", "no_proxy": "::1"}, [], "[::1]"),
    ({"http_proxy": "P", "no_proxy": "::/0"}, [], "[::1]"),
    ({"http_proxy": "P", "no_proxy": "127.0.0.1/0"}, [], "127.0.0.1"),  # curl: /0 compares the whole address
]


def test_proxy_choice_matches_curl():
    """Same environment, same URL: nb's decision is curl's (curl is the reference)."""
    curl = require("curl")
    rec = _Recorder()
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    port = srv.server_address[1]  # a direct connection gets a 501 from it; only the proxy choice matters here
    th = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    th.start()
    P = f"http://127.0.0.1:{rec.port}"
    try:
        for env, flags, host in CASES:
            env = {k: v.replace("P", P) if v == "P" else v.replace("PORT", str(port)) for k, v in env.items()}
            flags = [P if f == "P" else f for f in flags]
            url = f"http://{host}:{port}/"
            bare = host.strip("[]")
            resolve = [] if bare in ("127.0.0.1", "localhost", "::1") else ["--resolve", f"{bare}:{port}:127.0.0.1"]
            base_env = {k: v for k, v in os.environ.items() if k not in PROXY_VARS}
            rec.seen.clear()
            subprocess.run([curl, "-s", "-o", "/dev/null", "--max-time", "5", *resolve, *flags, url],
                           env={**base_env, **env}, capture_output=True, timeout=20)
            curl_proxied = bool(rec.seen)
            kw = {}
            if "-x" in flags:
                kw["proxy"] = flags[flags.index("-x") + 1] or False
            if "--noproxy" in flags:
                kw["no_proxy"] = flags[flags.index("--noproxy") + 1]
            ours = select_proxy(url, env=env, **kw)
            assert (ours is not None) == curl_proxied, f"{env} {flags} {url}: curl {'via proxy' if curl_proxied else 'direct'}"
    finally:
        rec.close()
        srv.shutdown()
        srv.server_close()


def test_no_proxy_rules():
    assert no_proxy_match("www.example.com", "example.com") and not no_proxy_match("notexample.com", "example.com")
    assert no_proxy_match("10.1.2.3", "10.0.0.0/8") and not no_proxy_match("11.1.2.3", "10.0.0.0/8")
    assert no_proxy_match("2001:db8::5", "2001:db8::/32") and no_proxy_match("[2001:db8::5]", "2001:db8::/32")
    assert not no_proxy_match("example.com", "") and no_proxy_match("anything", " * ")
    p = select_proxy("https://x.test/", proxy="u:p@proxy.test")
    assert (p.host, p.port, p.user, p.source) == ("proxy.test", 1080, "u", "proxy=")  # curl's default port
    assert "p@" not in repr(p) and p.url == "http://u:••••@proxy.test:1080"


def test_bad_proxy_settings_are_one_clear_error(lab, clean_env):
    for bad in ("http://127.0.0.1:3128\r\nX-Evil: 1", "http://a\nb:1"):
        with pytest.raises(InjectionError):
            nb.fetch(lab.url, proxy=bad)
        with pytest.raises(InjectionError):
            nb.fetch_many([lab.url], proxy=bad)
        with pytest.raises(InjectionError):
            nb.Session(proxy=bad).get(lab.url)
    clean_env.setenv("http_proxy", "http://127.0.0.1:3128\rX: 1")
    with pytest.raises(InjectionError):
        nb.fetch(lab.url)
    clean_env.delenv("http_proxy")
    with pytest.raises(ProxyError, match="SOCKS proxies are not supported"):
        nb.fetch(lab.url, proxy="socks5://u:hunter2@127.0.0.1:1080")
    try:
        nb.fetch(lab.url, proxy="socks5://u:hunter2@127.0.0.1:1080")
    except ProxyError as e:
        assert "hunter2" not in str(e)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    with pytest.raises(ProxyError, match=f"cannot connect to proxy http://u:••••@127.0.0.1:{dead}"):
        nb.fetch(lab.url, proxy=f"http://u:hunter2@127.0.0.1:{dead}", timeout=5)
    df = nb.fetch_many([lab.url], proxy=f"127.0.0.1:{dead}")
    assert "cannot connect to proxy" in df["error"][0]


# -- real traffic through tinyproxy ---------------------------------------------------------
def test_http_through_tinyproxy_with_credentials(lab, tinyproxy, curl):
    before = len(tinyproxy.requests())
    r = nb.fetch(lab.url + "echo?x=1", proxy=tinyproxy.url(USER, PASSWORD))
    assert r.status == 200 and r.json()["query"] == "x=1"
    assert "Proxy-Authorization" not in r.json()["headers"]  # tinyproxy strips it; the origin never sees it
    assert r.proxy == f"http://alice:••••@{tinyproxy.hostport}" and "via proxy" in repr(r)
    assert tinyproxy.requests(before + 1)[before:] == [f"GET {lab.url}echo?x=1 HTTP/1.1"]
    text = r.transcript.text()
    assert f"→ GET {lab.url}echo?x=1 HTTP/1.1" in text and "Proxy-Authorization: Basic ••••" in text
    assert r.request_headers["Proxy-Authorization"] == "Basic ••••"
    assert r.to_frame()["proxy"][0] == r.proxy
    har = r.to_har(reveal=True)
    assert har["log"]["entries"][0]["_proxy"] == r.proxy
    bundle = r._repr_mimebundle_()
    _no_leak(repr(r), r.transcript.text(reveal=True), json.dumps(har), json.dumps(r.to_har()),
             bundle["text/html"], bundle["text/plain"], r.to_frame().to_string(), r.transcript.title)
    # wrong credentials: for plain http the proxy's refusal is a Response, the status curl reports
    # (tinyproxy answers 401 to wrong credentials, 407 to none)
    bad = nb.fetch(lab.url, proxy=tinyproxy.url(USER, "wrong"))
    code = subprocess.run([curl, "-s", "-o", "/dev/null", "-w", "%{http_code}", "-x", tinyproxy.url(USER, "wrong"),
                           lab.url], capture_output=True, text=True, timeout=20).stdout
    assert int(bad.status) == int(code) and int(code) in (401, 407) and bad.proxy
    assert int(nb.fetch(lab.url, proxy=tinyproxy.url()).status) == 407


def test_https_through_tinyproxy_uses_connect(tls_server, tinyproxy, clean_env, curl):
    clean_env.setenv("https_proxy", tinyproxy.url(USER, PASSWORD))
    url, ca, port = tls_server["url"], tls_server["ca"], tls_server["port"]
    before = len(tinyproxy.requests())
    r = nb.fetch(url + "inside", verify=ca)
    assert r.text == "secure hello" and r.proxy == f"http://alice:••••@{tinyproxy.hostport}"
    logged = tinyproxy.requests(before + 1)[before:]
    assert logged == [f"CONNECT 127.0.0.1:{port} HTTP/1.{logged[0][-1]}"]  # the proxy saw only CONNECT
    assert tls_server["seen"][-1][0] == "/inside" and "Proxy-Authorization" not in tls_server["seen"][-1][1]
    text = r.transcript.text()
    assert f"→ CONNECT 127.0.0.1:{port} HTTP/1." in text and "Proxy-Authorization: Basic ••••" in text
    assert "← HTTP/1.0 200 Connection established" in text and "→ GET /inside HTTP/1.1" in text
    assert "Proxy-Authorization" not in r.request_headers  # not sent to the origin
    assert r.timings["ssl"] >= 0 and r.timings["connect"] >= 0
    _no_leak(repr(r), r.transcript.text(reveal=True), json.dumps(r.to_har(reveal=True)), r._repr_mimebundle_()["text/html"])
    # curl, same environment: the same body through the same kind of tunnel
    out = subprocess.run([curl, "-s", "--cacert", ca, url + "inside"], capture_output=True, timeout=20,
                         env={**os.environ}).stdout
    assert out == b"secure hello"
    assert tinyproxy.requests(before + 2)[before + 1].startswith(f"CONNECT 127.0.0.1:{port} ")
    # wrong credentials: the CONNECT is refused -- one clear error (curl: exit 56)
    clean_env.setenv("https_proxy", tinyproxy.url(USER, "wrong"))
    with pytest.raises(ProxyError, match=r"refused CONNECT 127\.0\.0\.1:\d+: 40[17] "):
        nb.fetch(url, verify=ca)
    rc = subprocess.run([curl, "-s", "--cacert", ca, url], capture_output=True, timeout=20, env={**os.environ}).returncode
    assert rc == 56
    # verification still happens end to end through the tunnel
    clean_env.setenv("https_proxy", tinyproxy.url(USER, PASSWORD))
    with pytest.raises(nb.http.TLSError):
        nb.fetch(url)


def test_environment_choice_and_opt_outs(lab, open_proxy, clean_env):
    log = open_proxy.requests
    n0 = len(log())
    clean_env.setenv("http_proxy", open_proxy.url())
    assert nb.fetch(lab.url).proxy == f"http://{open_proxy.hostport}"
    assert nb.fetch(lab.url, proxy=False).proxy == ""  # opt out
    assert nb.fetch(lab.url, no_proxy="*").proxy == ""  # curl --noproxy '*'
    clean_env.setenv("no_proxy", "localhost, 127.0.0.0/8")
    assert nb.fetch(lab.url).proxy == ""
    assert nb.fetch(lab.url, no_proxy="").proxy != ""  # --noproxy "" overrides the variable, as in curl
    clean_env.delenv("no_proxy")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        clean_env.setenv("http_proxy", f"http://127.0.0.1:{s.getsockname()[1]}")  # a dead one
    assert nb.fetch(lab.url, proxy=open_proxy.url()).proxy == f"http://{open_proxy.hostport}"  # proxy= wins
    clean_env.delenv("http_proxy")
    clean_env.setenv("HTTP_PROXY", open_proxy.url())
    assert nb.fetch(lab.url).proxy == ""  # upper-case HTTP_PROXY ignored, like curl
    assert len(log(n0 + 3)) - n0 == 3


def test_redirects_choose_per_hop(lab, open_proxy, clean_env):
    clean_env.setenv("http_proxy", open_proxy.url())
    clean_env.setenv("no_proxy", "localhost")
    target = lab.url.replace("127.0.0.1", "localhost") + "echo"
    r = nb.fetch(lab.url + "redirect-to?url=" + target)
    assert r.status == 200 and r.final_url == target
    assert r.history[0].proxy == f"http://{open_proxy.hostport}" and r.proxy == ""
    assert [e.get("_proxy", "") for e in r.to_har()["log"]["entries"]] == [r.history[0].proxy, ""]


def test_session_and_magic(lab, tinyproxy, open_proxy, ipython, clean_env):
    s = nb.Session(lab.url, proxy=tinyproxy.url(USER, PASSWORD))
    assert s.get("echo").status == 200 and s.get("json").json()["n"] == 3
    df = s.to_frame()
    assert (df["proxy"] == f"http://alice:••••@{tinyproxy.hostport}").all()
    _no_leak(repr(s), df.to_string(), json.dumps(s.to_har()), s._repr_mimebundle_()["text/html"])
    ipython.user_ns["lab_url"] = lab.url
    ipython.user_ns["pxy"] = tinyproxy.url(USER, PASSWORD)
    r = ipython.run_line_magic("fetch", "-x {pxy} {lab_url}echo")
    assert r.proxy.startswith("http://alice:••••@")
    ipython.user_ns["pxy_host"] = tinyproxy.hostport
    r = ipython.run_line_magic("fetch", f"-x {{pxy_host}} -U {USER}:{PASSWORD} {{lab_url}}echo")
    assert r.status == 200 and r.proxy == f"http://alice:••••@{tinyproxy.hostport}"
    clean_env.setenv("http_proxy", open_proxy.url())
    assert ipython.run_line_magic("fetch", "{lab_url}").proxy == f"http://{open_proxy.hostport}"
    assert ipython.run_line_magic("fetch", "--noproxy '*' {lab_url}").proxy == ""
    assert ipython.run_line_magic("fetch", "--noproxy=127.0.0.1 {lab_url}").proxy == ""
    assert ipython.run_line_magic("fetch", "-x '' {lab_url}").proxy == ""
    ipython.user_ns["evil"] = "http://127.0.0.1:1\r\nX: 1"
    with pytest.raises(InjectionError):
        ipython.run_line_magic("fetch", "-x {evil} {lab_url}")
    r = ipython.run_cell_magic("fetch", "--noproxy '*'", "GET {lab_url}echo\n")
    assert r.proxy == ""


def test_fetch_many_through_tinyproxy(lab, tls_server, tinyproxy, clean_env):
    before = len(tinyproxy.requests())
    clean_env.setenv("http_proxy", tinyproxy.url(USER, PASSWORD))
    clean_env.setenv("https_proxy", tinyproxy.url(USER, PASSWORD))
    urls = [lab.url + f"echo?i={i}" for i in range(6)] + [tls_server["url"] + f"t{i}" for i in range(4)]
    df = nb.fetch_many(urls, concurrency=4, per_host=2, verify=tls_server["ca"])
    assert (df["status"] == 200).all(), df["error"].tolist()
    assert df["bytes"][6:].tolist() == [12] * 4
    logged = tinyproxy.requests(before + 7)[before:]
    assert sorted(x for x in logged if x.startswith("GET")) == sorted(f"GET {u} HTTP/1.1" for u in urls[:6])
    assert any(x.startswith(f"CONNECT 127.0.0.1:{tls_server['port']} ") for x in logged)
    origin_http = lab.url.rstrip("/")
    assert df.attrs["proxies"] == {origin_http: f"http://alice:••••@{tinyproxy.hostport}",
                                   tls_server["url"].rstrip("/"): f"http://alice:••••@{tinyproxy.hostport}"}
    _no_leak(repr(df.attrs), df.to_string())
    # opt-outs
    n = len(tinyproxy.requests())
    assert nb.fetch_many([lab.url], proxy=False).attrs["proxies"] == {}
    assert nb.fetch_many([lab.url], no_proxy="127.0.0.1")["status"][0] == 200
    assert len(tinyproxy.requests()) == n
    # a refused CONNECT is a row's error, not an exception
    bad = nb.fetch_many([tls_server["url"]], proxy=tinyproxy.url(USER, "wrong"), verify=tls_server["ca"])
    assert "refused CONNECT" in bad["error"][0] and " 401 " in bad["error"][0]


# -- the lab proxy (nb.serve.proxy) against real clients: curl and nb.fetch ------------------
def test_lab_proxy_with_curl_and_nb(lab, tls_server, clean_env, curl):
    p = nb.serve.proxy(user=USER, password=PASSWORD)
    try:
        cred_url = p.url.replace("http://", f"http://{USER}:{PASSWORD}@")
        out = subprocess.run([curl, "-s", "-x", p.url, "-U", f"{USER}:{PASSWORD}", lab.url], capture_output=True,
                             timeout=20).stdout
        assert out == b"hello"
        out = subprocess.run([curl, "-s", "-x", p.url, "-U", f"{USER}:{PASSWORD}", "--cacert", tls_server["ca"],
                              tls_server["url"] + "via-lab"], capture_output=True, timeout=20).stdout
        assert out == b"secure hello"
        clean_env.setenv("https_proxy", cred_url)
        r = nb.fetch(tls_server["url"] + "nb", verify=tls_server["ca"])
        assert r.text == "secure hello" and r.proxy == f"http://{USER}:••••@{p.host}:{p.port}"
        df = nb.fetch_many([tls_server["url"] + "m1", lab.url], verify=tls_server["ca"], proxy=cred_url)
        assert df["status"].tolist() == [200, 200]
        rows = p.log.to_frame()
        target = f"127.0.0.1:{tls_server['port']}"
        assert rows["request"].tolist()[:3] == [f"GET {lab.url}", f"CONNECT {target}", f"CONNECT {target}"]
        assert sorted(rows["request"].tolist()[3:]) == sorted([f"CONNECT {target}", f"GET {lab.url}"])  # fetch_many
        assert rows["status"].tolist() == ["200"] * 5
        assert (rows[rows["request"].str.startswith("CONNECT")]["detail"] == "tunnel open").all()
        assert "CONNECT" in p.transcripts[1].text() and "secure hello" not in p.transcripts[1].text(reveal=True)
        # refusals: one row each, the proxy goes on
        assert int(nb.fetch(lab.url, proxy=p.url).status) == 407
        assert subprocess.run([curl, "-s", "-o", "/dev/null", "-w", "%{http_code}", "-x", cred_url,
                               "http://books.example/"], capture_output=True, text=True, timeout=20).stdout == "403"
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            dead = s.getsockname()[1]
        assert int(nb.fetch(f"http://127.0.0.1:{dead}/", proxy=cred_url).status) == 502
        with pytest.raises(ProxyError, match="refused CONNECT .*: 502"):
            nb.fetch(f"https://127.0.0.1:{dead}/", proxy=cred_url)
        with socket.create_connection((p.host, p.port), timeout=5) as c:
            c.sendall(b"NONSENSE\r\n\r\n")
            assert c.recv(100).startswith(b"HTTP/1.1 400")
        assert nb.fetch(lab.url, proxy=cred_url).text == "hello"
        assert [r for r in p.log.to_frame()["status"].tolist()[5:]] == ["407", "403", "502", "502", "400", "200"]
        _no_leak(repr(p), p.log.to_frame().to_string(), p._repr_mimebundle_()["text/plain"])
    finally:
        p.stop()


def test_lab_proxy_stops_with_open_tunnels(tls_server):
    import time

    p = nb.serve.proxy()
    conns = []
    for _ in range(3):
        c = socket.create_connection((p.host, p.port), timeout=5)
        c.sendall(f"CONNECT 127.0.0.1:{tls_server['port']} HTTP/1.1\r\n\r\n".encode())
        assert c.recv(100).startswith(b"HTTP/1.1 200")
        conns.append(c)
    t0 = time.perf_counter()
    p.stop()
    assert time.perf_counter() - t0 < 2
    assert not any(t.name.startswith("netbook-") for t in threading.enumerate())
    for c in conns:
        c.close()
