import pytest


@pytest.fixture
def ip(ipython):
    return ipython  # the shared test shell (tests/conftest.py)


def test_serve_magic_starts_lists_and_stops(ip, tmp_path):
    ip.user_ns["site"] = str(tmp_path)
    srv = ip.run_line_magic("serve", "http {site} -o srv")
    assert ip.user_ns["srv"] is srv and srv.running
    listing = ip.run_line_magic("serve", "list")
    assert list(listing.to_frame().name) == ["http"]
    ip.run_line_magic("serve", "stop http")
    assert not srv.running
    ip.run_line_magic("serve", "http {site} --name a")
    ip.run_line_magic("serve", "http {site} --name b")
    ip.run_line_magic("serve", "stop all")
    assert ip.run_line_magic("serve", "list").to_frame().empty


def test_serve_magic_wsgi_app_from_namespace(ip):
    def app(environ, start_response):
        start_response("200 OK", [])
        return [b"ok"]

    ip.user_ns["app"] = app
    srv = ip.run_line_magic("serve", "wsgi app")
    assert srv.app is app
    srv.stop()


def test_serve_magic_refuses_injected_values(ip):
    from netbook.errors import InjectionError

    ip.user_ns["bad"] = "x\r\ny"
    with pytest.raises(InjectionError):
        ip.run_line_magic("serve", "http {bad}")


def test_serve_magic_never_evals_the_line(ip):
    from IPython.core.error import UsageError

    ip.user_ns["pkg"] = type("Pkg", (), {"app": staticmethod(lambda environ, start_response: [b""])})
    srv = ip.run_line_magic("serve", "wsgi pkg.app --name dotted")
    assert srv.app is ip.user_ns["pkg"].app
    srv.stop()
    for bad in ("wsgi __import__('os').getcwd", "wsgi nope", "wsgi pkg.nope"):
        with pytest.raises(UsageError):
            ip.run_line_magic("serve", bad)
    with pytest.raises(UsageError, match="no lab server kind"):
        ip.run_line_magic("serve", "gopher")
    with pytest.raises(UsageError, match="unrecognized arguments: --bogus"):
        ip.run_line_magic("serve", "http . --bogus 1")
    with pytest.raises(UsageError, match="not a Python variable name"):
        ip.run_line_magic("serve", "http . -o 1x")


def test_serve_magic_options_come_from_the_server_signature(ip):
    import smtplib

    s = ip.run_line_magic("serve", 'smtp --users alice:pw,bob:pw2 --auth required --starttls '
                                   '--max-size 2048 --fault "MAIL drop" --name test-serve-smtp -o s')
    try:
        assert ip.user_ns["s"] is s and s.name == "test-serve-smtp"
        host, port = s.url.split("//")[1].rsplit(":", 1)
        with smtplib.SMTP(host, int(port), timeout=10) as c:
            c.ehlo()
            assert c.has_extn("starttls") and c.esmtp_features["size"] == "2048"
        # the old spelling is the same thing
        old = ip.run_line_magic("smtp", "serve --users alice:pw --name test-serve-smtp2 -o s2")
        assert ip.user_ns["s2"] is old and old.running
        ip.run_line_magic("smtp", "stop test-serve-smtp2")
        assert not old.running
    finally:
        s.stop()
    n = ip.run_line_magic("serve", "nntp --groups lab.a,lab.b --read-only --name test-serve-nntp")
    try:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            import nntplib

        host, port = n.url.split("//")[1].split("/")[0].rsplit(":", 1)
        with nntplib.NNTP(host, int(port), timeout=10) as c:
            assert {g.group for g in c.list()[1]} >= {"lab.a", "lab.b"}
            assert c.getwelcome().startswith("201")  # posting not allowed
    finally:
        n.stop()


def test_magicargs_builds_flags_from_a_signature():
    from IPython.core.error import UsageError

    from netbook.magicargs import MagicParser, serve_kwargs, split, store

    def serve(root=None, users=None, anonymous: bool = True, faults=(), max_size: int = 10, timeout: float = 1.0,
              *, name=None, host="127.0.0.1"):
        return None

    pos, kw, out = serve_kwargs("demo", serve, split("/srv --no-anonymous --users a:1,b:2 --fault x --fault 'y z' "
                                                     "--max-size 5 --timeout 0.5 --name n -o v"))
    assert pos == ["/srv"] and out == "v"
    assert kw == {"anonymous": False, "users": {"a": "1", "b": "2"}, "faults": ["x", "y z"], "max_size": 5,
                  "timeout": 0.5, "name": "n"}
    assert serve_kwargs("demo", serve, []) == ([], {}, None)  # the server's own defaults stay
    for bad in ("--users nocolon", "--max-size many", "--host 0.0.0.0", "--bogus"):
        with pytest.raises(UsageError, match="%serve demo"):
            serve_kwargs("demo", serve, split(bad))
    with pytest.raises(UsageError, match="No closing quotation"):
        split("'open", "%x")
    p = MagicParser("%x", usage="%x N")
    p.add_argument("n", type=int)
    with pytest.raises(UsageError, match="usage: %x N"):
        p.parse_line("{v}", {"v": "not-a-number"})
    ns: dict = {}
    assert store(ns, "r", 1) == 1 and ns == {"r": 1}
