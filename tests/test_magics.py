import pytest
from IPython.testing.globalipapp import get_ipython


@pytest.fixture(scope="module")
def ip():
    shell = get_ipython()  # one global test shell shared by every module (start_ipython works once)
    shell.run_line_magic("load_ext", "netbook")
    return shell


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
