"""The Response view: hostile HTML stays inert (sandboxed iframe, escaped)."""
import html
import re
from html.parser import HTMLParser

import netbook as nb
from netbook.http.view import body_html, response_html, sandboxed_iframe

from .apps import HOSTILE_HTML, app


class _Tags(HTMLParser):
    """Every element the browser would build from the markup (srcdoc stays an attribute)."""

    def __init__(self, markup):
        super().__init__(convert_charrefs=True)
        self.tags = []
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _all_html(bundle_or_widget) -> list[str]:
    """Every HTML string a response view would put in the page (static + widget children)."""
    out = []
    stack = [bundle_or_widget]
    while stack:
        w = stack.pop()
        if hasattr(w, "children"):
            stack.extend(w.children)
        if w.__class__.__name__ == "HTML":
            out.append(w.value)
    return out


def test_hostile_html_only_in_a_sandboxed_iframe():
    r = nb.http.call(app, "GET /hostile")
    assert r.status == 200 and b"<script>" in r.content
    bundle = r._repr_mimebundle_()
    pages = [bundle["text/html"]] + _all_html(r.view())
    for markup in pages:
        assert "<script" not in markup.lower()  # escaped everywhere, srcdoc included
        tags = _Tags(markup).tags
        assert not [t for t, _ in tags if t in ("script", "object", "embed", "base", "meta", "link")]
        assert not [(t, a) for t, a in tags for k in a if k.startswith("on")]  # no event handlers
        frames = [a for t, a in tags if t == "iframe"]
        for a in frames:
            assert a.get("sandbox") == "" and "allow-scripts" not in a["sandbox"]
    assert any(t == "iframe" for t, _ in _Tags(bundle["text/html"]).tags)
    # the page is there, escaped, inside srcdoc: unescaping gives back the original
    body = body_html(r)
    src = re.search(r'srcdoc="([^"]*)"', body).group(1)
    assert html.unescape(src) == HOSTILE_HTML.decode()
    assert "text/html" in bundle and "text/plain" in bundle
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_sandboxed_iframe_escapes_quotes():
    frame = sandboxed_iframe('"><script>alert(1)</script>')
    assert frame.count("<iframe") == 1 and "<script" not in frame and "&quot;&gt;&lt;script" in frame


def test_hostile_text_headers_and_json_are_escaped():
    def evil(environ, start_response):
        start_response("200 OK", [("Content-Type", "application/json"), ("X-Evil", "<script>x()</script>")])
        return [b'{"<script>k</script>": "<img src=x onerror=alert(1)>"}']

    r = nb.http.call(evil, "GET /")
    markup = response_html(r)
    assert "<script" not in markup and "<img src=x" not in markup
    assert "&lt;script&gt;" in markup


def test_body_kinds():
    assert "<details" in body_html(nb.http.call(app, "GET /json"))
    assert "<img" in body_html(nb.http.call(app, "GET /png")) and "data:image/png;base64," in body_html(nb.http.call(app, "GET /png"))
    text = body_html(nb.http.call(app, "GET /"))
    assert "<table>" in text and ">1</td>" in text and "hello" in text
    def binary(environ, start_response):
        start_response("200 OK", [("Content-Type", "application/octet-stream")])
        return [bytes(range(256))]

    assert "<pre" in body_html(nb.http.call(binary, "GET /"))


def test_view_tabs_and_badge():
    r = nb.http.call(app, "GET /status?code=404")
    v = r.view()
    badge, tab = v.children
    assert "404 Not Found" in badge.value and "#b91c1c" in badge.value  # red for errors
    assert [t.split(" (")[0] for t in tab.titles] == ["Body", "Headers", "Cookies", "Timing", "Redirects", "Transcript",
                                                      "Diagram"]
    assert "<svg" in tab.children[-1].value and "HTTP/1.1 404" in tab.children[-1].value  # the ladder diagram
    assert "404" in repr(r)


def test_secrets_masked_in_every_view():
    r = nb.http.call(app, "GET /login", headers={"Authorization": "Bearer TOPSECRET"}, follow_redirects=False)
    bundle = r._repr_mimebundle_()
    for text in [bundle["text/html"], bundle["text/plain"], repr(r.request_headers), r.transcript.text(),
                 r.headers.to_frame().to_string(), r.cookies.to_string(), str(r.to_har())]:
        assert "TOPSECRET" not in text and "abc123" not in text
    assert "abc123" in str(r.to_har(reveal=True))


def _cookie_redirect_app(env, start_response):
    if env["PATH_INFO"] == "/login":
        start_response("302 Found", [("Set-Cookie", "session=s3cr3t; Path=/; HttpOnly"), ("Location", "/books")])
        return [b""]
    start_response("200 OK", [("Content-Type", "application/json")])
    return [b'{"books": ["Dune"]}']


def test_tabs_count_what_they_list_and_timing_adds_up():
    from netbook.http import view

    srv = nb.serve.wsgi(_cookie_redirect_app, name="view-consistency")
    try:
        r = nb.fetch(srv.url + "login")
    finally:
        srv.stop()
    assert r.status == 200 and len(r.history) == 1
    w = r.view()
    tabs = w.children[1]
    titles = dict(zip(tabs.titles, tabs.children))
    redirects = titles["Redirects (1)"]
    assert len(redirects.to_frame()) == 1 and redirects.to_frame().status[0] == 302  # one redirect, one row
    cookies = titles["Cookies (1)"].to_frame()
    assert len(cookies) == 1 and list(cookies.columns)[:3] == ["name", "value", "set_by"]
    assert "expires" not in cookies.columns and "partitioned" not in cookies.columns  # no cookie uses them
    assert cookies.value[0] == "••••"
    # the Timing rows (the redirect hop included) add up to the total shown
    rows = view.timing_rows(r)
    assert rows[0][0] == "redirect 1 (302)"
    assert abs(sum(ms for _, _, ms in rows) - r.elapsed * 1000) < 0.06
    assert f"{r.elapsed * 1000:,.1f} ms" in view.timing_html(r)
    # transcript tables use the arrows of printed transcripts
    directions = set(titles["Transcript"].to_frame().direction)
    assert directions == {"→", "←"} and r.transcript.text().startswith("→ GET /login")
    static = response_html(r)
    assert "Redirects (1)" in static and "1 rows × 5 columns" in static
