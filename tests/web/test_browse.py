"""nb.browse: webbrowser on a desktop, a link to click in a notebook."""
import sys
import time
import webbrowser

import pytest

import netbook as nb
from netbook.errors import InjectionError, NetbookError
from netbook.web import browse as browse_mod


def test_desktop_opens_through_a_real_webbrowser_controller(tmp_path, monkeypatch):
    out = tmp_path / "opened.txt"
    script = tmp_path / "fakebrowser.py"
    script.write_text(f"import sys\nopen({str(out)!r}, 'w').write(sys.argv[1])\n")
    webbrowser.register("netbook-test", None, webbrowser.BackgroundBrowser([sys.executable, str(script), "%s"]))
    monkeypatch.setattr(browse_mod, "in_notebook", lambda: False)
    assert nb.browse("http://127.0.0.1:8000/page?q=1", using="netbook-test") is True
    t0 = time.time()
    while not out.exists() and time.time() - t0 < 10:
        time.sleep(0.05)
    assert out.read_text() == "http://127.0.0.1:8000/page?q=1"
    table = nb.browse.controllers()
    assert "netbook-test" in set(table.to_frame()["name"])


def test_notebook_gets_a_link(monkeypatch):
    monkeypatch.setattr(browse_mod, "in_notebook", lambda: True)
    link = nb.browse('http://127.0.0.1:1/?a=1&b="><script>x</script>')
    html = link._repr_html_()
    assert 'target="_blank"' in html and 'rel="noopener noreferrer"' in html
    assert "<script>" not in html and "&quot;&gt;&lt;script&gt;" in html


def test_refuses_dangerous_urls():
    for url in ("javascript:alert(1)", "data:text/html,<script>x</script>", "vbscript:x", "no-scheme"):
        with pytest.raises(NetbookError):
            nb.browse(url)
    with pytest.raises(InjectionError):
        nb.browse("http://127.0.0.1/\r\nX: y")


def test_in_notebook_false_in_plain_python():
    assert browse_mod.in_notebook() is False
