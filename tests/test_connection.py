"""The connection layer: one URL type, one TLS helper, the registry, and the
scheme -> opener table behind nb.open / nb.fetch / %fetch."""
import ssl

import pytest

import netbook as nb
from netbook import openers, registry
from netbook.connection import SCHEMES, ConnURL, ConnURLError, parse
from netbook.errors import InjectionError, NetbookError
from netbook.telnet import TelnetClient
from netbook.tls import tls_context
from netbook.transcript import MASK

PW = "s3cr3t-PW"


@pytest.mark.parametrize("scheme,port", [("smtp", 25), ("smtps", 465), ("submission", 587), ("pop", 110),
                                         ("pops", 995), ("imap", 143), ("imaps", 993), ("ftp", 21), ("ftpes", 21),
                                         ("nntp", 119), ("nntps", 563), ("telnet", 23)])
def test_default_ports_and_masking(scheme, port):
    u = parse(f"{scheme}://al%40ice:{PW}@example.test/x%20y", [scheme])
    assert (u.scheme, u.host, u.port, u.user, u.password, u.path, u.name) == (
        scheme, "example.test", port, "al@ice", PW, "/x y", "x y")
    assert u.tls == SCHEMES[scheme].tls
    shown = [u.masked(), str(u), repr(u), u.masked("/")]
    assert shown[0] == f"{scheme}://al%40ice:{MASK}@example.test:{port}/x%20y"
    assert shown[3] == f"{scheme}://al%40ice:{MASK}@example.test:{port}/"
    assert all(PW not in s for s in shown)


def test_overrides_aliases_and_one_line_errors():
    u = parse("pop3://bob@[::1]:1110", ["pop", "pops"], password="pw", user="carol")
    assert (u.scheme, u.host, u.port, u.user, u.password) == ("pop", "::1", 1110, "carol", "pw")
    assert u.masked() == f"pop://carol:{MASK}@[::1]:1110"
    for bad, msg in [("gopher://h/", "gopher:// is not a pop/pops URL"), ("pop://h:xx/", "port is not a number"),
                     ("pop:///INBOX", "has no host")]:
        with pytest.raises(ConnURLError, match=msg) as e:
            parse(bad, ["pop", "pops"])
        assert isinstance(e.value, ValueError) and "\n" not in str(e.value)
    with pytest.raises(InjectionError):
        parse("pop://h/\r\nQUIT", ["pop"])
    # the families' old names are the one type
    from netbook.ftp.urls import FTPURL
    from netbook.news.client import NewsURL

    assert nb.mail.MailURL is ConnURL and FTPURL is ConnURL and issubclass(NewsURL, ConnURL)


def test_lab_server_fallback_and_registry():
    import importlib

    assert registry.kinds() == importlib.import_module("netbook.servers").kinds()  # listed without importing them
    assert registry.lab_server_for("telnet") is None
    with pytest.raises(ConnURLError, match="no URL given and no telnet lab server is running"):
        parse(None, ["telnet"])
    srv = nb.serve.telnet("echo", name="conn-t")
    assert registry.lab_server_for("telnet") is srv and registry.get("conn-t") is srv
    for given in (None, srv, "telnet:", "telnet:x"):  # no URL, the server, no host: the running lab server
        u = parse(given, ["telnet"])
        assert (u.host, u.port) == (srv.host, srv.port)
    registry.stop("conn-t")
    assert not srv.running and registry.lab_server_for("telnet") is None and "conn-t" not in registry.registry()
    started = registry.start("telnet", "echo", name="conn-t2")  # by kind name, as nb.serve.<kind>
    assert started.running and registry.get("conn-t2") is started and started.kind == "telnet"


def test_tls_context_and_lab_certificates():
    assert tls_context().verify_mode == ssl.CERT_REQUIRED
    off = tls_context(False)
    assert off.verify_mode == ssl.CERT_NONE and not off.check_hostname
    mine = ssl.create_default_context()
    assert tls_context(mine) is mine
    srv = nb.serve.pop3(tls=True)
    assert srv.certfile and srv.cert == srv.certfile  # one attribute; cert is its older name
    assert registry.lab_cafile(srv.host, srv.port) == srv.certfile
    ctx = tls_context(True, host=srv.host, port=srv.port)  # the lab's self-signed certificate is trusted
    import socket

    with socket.create_connection((srv.host, srv.port), timeout=5) as raw, \
            ctx.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
        assert tls.recv(100).startswith(b"+OK")
    with socket.create_connection((srv.host, srv.port), timeout=5) as raw:
        with pytest.raises(ssl.SSLCertVerificationError):  # the system store does not know the lab
            tls_context().wrap_socket(raw, server_hostname="127.0.0.1")


def test_fetch_telnet_url_opens_a_telnet_session(ipython):
    srv = nb.serve.telnet("echo")
    ipython.user_ns["tn_url"] = srv.url
    c = ipython.run_line_magic("fetch", "{tn_url}")
    with c:
        assert isinstance(c, TelnetClient) and isinstance(c, openers.Opened)
        c.read_until("quit ends")
        assert c.ask("over the opener table", until="table").strip() == "over the opener table"
    assert ("server", "WILL", "SGA") in {(d, cmd, o) for _, d, cmd, o, _ in c.options}


def test_fetch_telnet_with_curl_user_logs_in(ipython):
    srv = nb.serve.telnet("menu", users={"alice": PW})
    ipython.user_ns.update(tn_url=srv.url_for("alice"), tn_pw=PW)
    c = ipython.run_line_magic("fetch", "-u alice:{tn_pw} {tn_url}")
    with c:
        assert "alice" in c.ask("whoami", until="alice")
    text = c.transcript.text() + c.to_frame().to_string() + repr(c)
    assert PW not in text and MASK in c.transcript.text()


def test_open_and_the_table():
    assert set(openers.schemes()) >= {"http", "https", "file", "data", "ftp", "ftps", "imap", "pop", "nntp",
                                      "news", "telnet"}
    for s in ("imap", "pop", "ftp", "news", "telnet"):
        assert openers.OPENERS[s].returns
    assert openers.opener_for("http://x/") is None and openers.opener_for("ftp://h/file.txt") is None
    assert openers.opener_for("ftp://h/dir/") is openers.OPENERS["ftp"]
    with pytest.raises(NetbookError, match="no opener for gopher: URLs"):
        nb.open("gopher://h/")
    with pytest.raises(nb.http.UnsupportedURL, match="no handler for gopher: URLs .*telnet"):
        nb.fetch("gopher://h/")
    srv = nb.serve.telnet("echo")
    with nb.open(srv, timeout=5) as c:  # a lab server stands for its URL
        assert isinstance(c, TelnetClient) and (c.host, c.port) == (srv.host, srv.port)
    r = nb.open("data:text/plain,hello")
    assert isinstance(r, nb.Response) and r.text == "hello" and isinstance(r, openers.Opened)


def test_register_a_scheme():
    seen = []

    def opener(url, **options):
        seen.append((url, options))
        return nb.open("data:text/plain,echo")

    openers.register("echo", opener, "a data: Response", auth="password", takes=("timeout",))
    try:
        r = nb.fetch("echo://h/x", auth=("u", "p"), timeout=3, headers={"X": "1"})
        assert r.text == "echo" and seen == [("echo://h/x", {"password": "p", "timeout": 3})]
        with pytest.raises(NetbookError):
            openers.register("http", opener)
    finally:
        openers.OPENERS.pop("echo", None)
