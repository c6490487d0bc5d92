"""%browse, %serve for the web kinds, and the views (reprs) of web results."""
import pytest

import netbook as nb
from netbook.errors import InjectionError


@pytest.fixture
def ip(ipython):
    return ipython  # the shared test shell (tests/conftest.py)


def test_browse_magic_interpolates_and_refuses_injection(ip, monkeypatch):
    from netbook.web import browse as browse_mod

    monkeypatch.setattr(browse_mod, "in_notebook", lambda: True)
    ip.user_ns["page"] = "http://127.0.0.1:8000/x"
    link = ip.run_line_magic("browse", "{page}")
    assert link.url == "http://127.0.0.1:8000/x"
    ip.user_ns["evil"] = "http://127.0.0.1/\r\nX: y"
    with pytest.raises(InjectionError):
        ip.run_line_magic("browse", "{evil}")
    assert "controllers" in ip.run_line_magic("browse", "").title


def test_serve_magic_starts_web_kinds(ip, tmp_path):
    srv = ip.run_line_magic("serve", "tcp echo --name m-echo")
    with srv.connect() as c:
        assert c.ask("via magic") == "via magic"
    cgi = ip.run_line_magic("serve", f"cgi {tmp_path} -o gw")
    assert ip.user_ns["gw"] is cgi and cgi.kind == "cgi"
    assert {"cgi", "tcp", "udp", "xmlrpc", "http", "wsgi"} <= set(nb.serve.kinds())
    ip.run_line_magic("serve", "stop all")


def test_views_have_text_and_escaped_html():
    env = nb.wsgi.environ("GET /?q=<script>", headers={"X-Evil": "<img src=x onerror=alert(1)>"})
    data = env._repr_mimebundle_()
    data = data[0] if isinstance(data, tuple) else data
    assert "<img src=x" not in data["text/html"] and "&lt;img src=x" in data["text/html"]
    assert "environ of GET http://127.0.0.1/?q=<script>" in data["text/plain"]
    form = nb.cgi.form("GET /?a=<b>x</b>")
    data = form._repr_mimebundle_()
    data = data[0] if isinstance(data, tuple) else data
    assert "<b>x</b>" not in data["text/html"] and "form (GET" in data["text/plain"]
    assert form.to_frame().loc[0, "value"] == "<b>x</b>"


def test_server_views_list_web_servers(tmp_path):
    with nb.serve.udp("echo") as u, nb.serve.xmlrpc(len) as x:
        df = nb.serve.list().to_frame().set_index("name")
        assert df.loc["udp", "kind"] == "udp (echo)" and df.loc["xmlrpc", "url"].endswith("/RPC2")
        assert repr(u).startswith("<UDPLab 'udp' running at udp://127.0.0.1:")
        assert x.doc_url + "RPC2" == x.url
