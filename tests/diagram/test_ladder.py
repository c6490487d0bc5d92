"""Ladder diagrams of real conversations: lanes, arrows in order, marks,
errors, folds, masked secrets, well-formed and bounded SVG."""
from __future__ import annotations

import re

import itertools
import time
import xml.etree.ElementTree as ET

import pytest

import netbook as nb
from netbook.diagram.svg import MAX_SVG_BYTES
from netbook.diagram.view import MAX_HTML_BYTES
from netbook.errors import NetbookError
from netbook.transcript import CLIENT, SERVER, Transcript

NS = {"s": "http://www.w3.org/2000/svg"}


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # raises on a malformed SVG


def arrows(svg: str) -> list[ET.Element]:
    return parse(svg).findall(".//s:g[@class='arrow']", NS)


def labels(svg: str) -> list[str]:
    return [g.findall("s:text", NS)[-1].text for g in arrows(svg)]


def marks(svg: str) -> list[tuple[str, str]]:
    return [(g.get("data-kind"), g.find("s:text", NS).text) for g in parse(svg).findall(".//s:g[@class='mark']", NS)]


@pytest.fixture
def mail_lab():
    lab = nb.lab("mail", users={"alice": "alice-pw", "bob": "bob-pw"}, name="diagram-mail")
    yield lab
    lab.stop()


def test_smtp_session_with_auth(mail_lab):
    r = nb.mail.send(to=["alice@netbook.lab", "nobody@netbook.lab"], from_="bob@netbook.lab", subject="Lab 3",
                     body="Hi Alice,\nthe lab starts at ten.\n", url=mail_lab.smtp, user="bob", password="bob-pw")
    d = r.transcript.diagram()
    svg = d.svg
    root = parse(svg)
    assert [g.get("data-lane") for g in root.findall(".//s:g[@class='lane']", NS)] == ["client", "server"]
    got = labels(svg)
    assert got[0].startswith("220 ")
    assert got[1].lower().startswith("ehlo")
    assert got[2].startswith("250-") and re.search(r"\(\+\d+ lines\)", got[2])  # a multi-line reply is one arrow
    assert got[3] == "AUTH PLAIN ••••"
    assert got[4].startswith("235")
    assert [x.lower().split(" ")[0] for x in got[5::2][:4]] == ["mail", "rcpt", "rcpt", "data"]
    assert got[12].startswith("354") and got[13].startswith("message · ")  # the body is one arrow with its size
    assert got[-1].startswith("221")
    # directions: client→server arrows go from lane 0 to 1
    dirs = [(g.get("data-src"), g.get("data-dst")) for g in arrows(svg)]
    assert dirs[:2] == [("1", "0"), ("0", "1")]
    # the refused recipient is an error (red), the auth success a mark after 235
    kinds = {lab: g.get("data-kind") for lab, g in zip(got, arrows(svg))}
    assert kinds["550 5.1.1 no such mailbox"] == "error"
    assert kinds["AUTH PLAIN ••••"] == "auth"
    assert ("auth", "authenticated") in marks(svg)
    # secrets masked everywhere, hover included
    assert "bob-pw" not in svg and "bob-pw" not in d.html()
    import base64
    assert base64.b64encode(b"\0bob\0bob-pw").decode() not in svg
    assert d.to_frame()["label"].tolist() == [a.label for a in d.arrows]


def test_starttls_is_marked():
    lab = nb.lab("mail", users={"alice": "pw"}, starttls=True, name="diagram-tls")
    try:
        r = nb.mail.send(to="alice@netbook.lab", from_="alice@netbook.lab", subject="s", body="b", url=lab.smtp,
                         starttls=True, verify=False, user="alice", password="pw")
        d = r.transcript.diagram()
        kinds = [k for k, _ in marks(d.svg)]
        assert "tls" in kinds and kinds.index("tls") < kinds.index("auth")
        assert "STARTTLS" in [x.upper() for x in labels(d.svg)]
    finally:
        lab.stop()


def test_pop3_error_and_bodies(mail_lab):
    nb.mail.send(to="alice@netbook.lab", from_="bob@netbook.lab", subject="x", body="hello\n", url=mail_lab.smtp)
    with pytest.raises(NetbookError):
        nb.mail.POP3(mail_lab.pop3.url_for("alice"), password="wrong")
    pop = nb.mail.POP3(mail_lab.pop3.url_for("alice"), password="alice-pw")
    pop.retrieve(1)
    pop.close()
    bad = mail_lab.pop3.transcripts[-2].diagram()
    assert "error" in [g.get("data-kind") for g in arrows(bad.svg)]
    assert ("autherror", "authentication failed") in marks(bad.svg)
    d = pop.transcript.diagram()
    got = labels(d.svg)
    i = got.index("RETR 1")
    assert got[i + 1].startswith("+OK") and got[i + 2].startswith("message · ")
    assert "alice-pw" not in d.svg


def test_imap_tags_matched_and_fetches_fold(mail_lab):
    for k in range(6):
        nb.mail.send(to="bob@netbook.lab", from_="alice@netbook.lab", subject=f"n{k}", body="b\n", url=mail_lab.smtp)
    imap = nb.mail.IMAP(mail_lab.imap.url_for("bob") + "/INBOX", password="bob-pw")
    for uid in range(1, 7):
        imap.message(uid)
    d = imap.transcript.diagram()
    # every tagged completion points back at its command
    for a in d.arrows:
        if a.pair is not None:
            cmd = d.arrows[a.pair]
            assert a.label.split(" ")[0] == cmd.label.split(" ")[0] and a.t >= cmd.t
    assert sum(a.pair is not None for a in d.arrows) >= 8
    root = parse(d.svg)
    assert root.findall(".//s:path[@class='pair']", NS)
    # six single-message fetches fold into one block "× 6"
    folds = d.folds
    assert any(f.count == 6 and f.period >= 3 for f in folds), folds
    fold_g = root.findall(".//s:g[@class='fold']", NS)
    assert [g.get("data-count") for g in fold_g] == [str(f.count) for f in folds]
    assert "× 6" in d.svg
    assert "<details" in d.html() and "unfold" in d.html()
    assert "bob-pw" not in d.svg
    # the server saw the same exchange: both views agree
    both = nb.diagram(imap.transcript, mail_lab.imap.transcripts[-1])
    assert both.agrees, both.disagreement()
    assert parse(both.svg).get("data-agree") == "true"


def test_fold_thousand_fetch_lines_and_size_bound():
    t = Transcript(title="synthetic IMAP")
    t.record(SERVER, b"* OK ready\r\n")
    t.record(CLIENT, b"A1 FETCH 1:1000 (FLAGS)\r\n")
    t.record(SERVER, b"".join(b"* %d FETCH (FLAGS (\\Seen))\r\n" % i for i in range(1, 1001)) + b"A1 OK done\r\n")
    d = t.diagram()
    assert len(d.arrows) == 1003
    (f,) = d.folds
    assert (f.period, f.count) == (1, 1000)
    got = labels(d.svg)
    assert got == ["* OK ready", "A1 FETCH 1:1000 (FLAGS)", "* 1 FETCH (FLAGS (\\Seen))  × 1,000", "A1 OK done"]
    html = d.html()
    assert "repeats 1–100 of 1,000" in html and "900 more repeats" in html
    assert len(html) < MAX_HTML_BYTES
    # 20,000 distinct lines: the drawing stops at its bound and says so
    big = Transcript(title="big", max_bytes=8 << 20)
    for i in range(20_000):
        big.record(CLIENT if i % 2 else SERVER, f"line {i} {'x' * (i % 7)} {chr(65 + i % 26) * (i % 13)}\r\n".encode())
    db = big.diagram(folded=False)
    assert len(db.svg) < MAX_SVG_BYTES + 20_000
    assert "more arrows not drawn" in db.svg
    assert len(db.html()) < MAX_HTML_BYTES
    parse(db.svg)


def test_ftp_control_and_data_lanes_agree():
    srv = nb.serve.ftp(users={"alice": "alice-pw"}, name="diagram-ftp")
    try:
        f = nb.ftp(srv.user_url("alice"), password="alice-pw")
        f.put(b"x" * 5000, "up.bin", progress=False)
        f.read("up.bin")
        f.close()
        d = f.transcript.diagram()
        assert d.lanes == ["client", "server", "server data"]
        got = labels(d.svg)
        i = got.index("RETR up.bin")
        assert got[i + 1][:3] in ("150", "125") and got[i + 2].startswith("data RETR") and got[i + 3].startswith("226")
        data = [g for g in arrows(d.svg) if g.get("data-kind") == "data"]
        assert [(g.get("data-src"), g.get("data-dst")) for g in data] == [("0", "2"), ("2", "0")]
        assert any(text.startswith("passive: data connection to port") for _, text in marks(d.svg))
        assert "alice-pw" not in d.svg
        both = nb.diagram(f.transcript, srv.transcripts[-1])
        assert both.agrees, both.disagreement()
    finally:
        srv.stop()


def test_telnet_negotiation_named_options():
    srv = nb.serve.telnet("menu", users={"alice": "alice-pw"}, name="diagram-telnet")
    try:
        c = nb.telnet(srv.url_for("alice"), password="alice-pw")
        c.ask("whoami", until="$ ")
        c.close()
        d = c.transcript.diagram()
        opts = [a.label for a in d.arrows if a.kind == "option"]
        assert "WILL ECHO" in opts and "DO NAWS" in opts and any(o.startswith("SB TTYPE") for o in opts)
        assert all("IAC" not in o for o in opts)
        assert "alice-pw" not in d.svg
        assert any(k == "auth" for k, _ in marks(d.svg))
        assert "••••" in labels(d.svg)
    finally:
        srv.stop()


def test_nntp_and_xmlrpc():
    srv = nb.serve.nntp(groups={"lab.general": "General"}, users={"alice": "alice-pw"}, name="diagram-news")
    try:
        news = nb.news(srv.url.replace("nntp://", "nntp://alice@") + "/lab.general", password="alice-pw")
        news.post("Hello", "body\n", from_="alice@netbook.lab")
        news.overview()
        d = news.transcript.diagram()
        assert d.ladder.protocol == "nntp"
        got = labels(d.svg)
        assert "AUTHINFO PASS ••••" in [x.upper() for x in got] and "alice-pw" not in d.svg
        assert any(x.startswith("article · ") for x in got)  # POST's article as one arrow
        news.close()
    finally:
        srv.stop()

    def add(a, b):
        return a + b

    with nb.serve.xmlrpc(add, name="diagram-rpc") as rpc:
        p = nb.xmlrpc(rpc.url)
        assert p.add(2, 3) == 5
        d = p.transcript.diagram()
        got = labels(d.svg)
        assert any(x.startswith("XML-RPC call add") for x in got)
        assert any(x.startswith("XML-RPC result") for x in got)
        assert got[0].startswith("POST ")


def test_http_redirect_error_and_proxy():
    def app(environ, start_response):
        p = environ["PATH_INFO"]
        if p == "/old":
            start_response("301 Moved", [("Location", "/new"), ("Content-Length", "0")])
            return [b""]
        if p == "/nope":
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"no"]
        start_response("200 OK", [("Content-Type", "text/plain"), ("Set-Cookie", "sid=s3cr3t-cookie")])
        return [b"hello"]

    with nb.serve.wsgi(app, name="diagram-http") as srv:
        r = nb.fetch(srv.url + "old", auth=("ada", "lovelace-pw"), auth_prior=True)
        d = r.diagram()
        got = labels(d.svg)
        assert got[:4] == ["GET /old HTTP/1.1", "HTTP/1.1 301 Moved", "GET /new HTTP/1.1", "HTTP/1.1 200 OK"]
        assert ("note", "redirect → /new") in marks(d.svg)
        assert len(d.lanes) == 2 and d.lanes[1].startswith("127.0.0.1:")
        assert "lovelace-pw" not in d.html() and "s3cr3t-cookie" not in d.html()
        assert arrows(d.svg)[0].get("data-kind") == "auth"  # credentials were sent
        miss = nb.fetch(srv.url + "nope").diagram()
        assert [g.get("data-kind") for g in arrows(miss.svg)][1] == "error"
        with nb.serve.proxy(name="diagram-proxy") as proxy:
            rp = nb.fetch(srv.url + "new", proxy=proxy.url)
            dp = rp.diagram()
            assert dp.lanes[1].startswith("proxy 127.0.0.1:") and len(dp.lanes) == 3
            assert all(a.via == 1 for a in dp.arrows)
            assert parse(dp.svg).findall(".//s:circle", NS)


def test_errors_and_reveal():
    with pytest.raises(ValueError):
        nb.diagram()
    with pytest.raises(TypeError):
        nb.diagram(42)
    t = Transcript(title="pop")
    t.record(SERVER, b"+OK hi\r\n")
    t.record(CLIENT, b"USER a\r\nPASS topsecret\r\n")
    t.record(SERVER, b"-ERR no\r\n")
    assert "topsecret" not in t.diagram().svg
    assert "topsecret" in t.diagram(reveal=True).svg
    assert t.diagram().ladder.protocol == "pop3"
    # control characters never break the XML
    c = Transcript(title="ctl")
    c.record(CLIENT, b"hello \x1b[31mred\r\n")
    parse(c.diagram().svg)


def test_real_gaps_are_shown():
    t = Transcript(title="gaps")
    t.record(SERVER, b"220 ready\r\n")
    time.sleep(0.05)
    t.record(CLIENT, b"NOOP\r\n")
    t.record(SERVER, b"250 ok\r\n")
    time.sleep(1.2)
    t.record(CLIENT, b"QUIT\r\n")
    d = t.diagram(protocol="smtp")
    ys = [float(g.find("s:line", NS).get("y1")) for g in arrows(d.svg)]
    steps = [b - a for a, b in itertools.pairwise(ys)]
    assert steps[0] > steps[1]  # 50 ms gap drawn taller than an immediate reply
    assert "gap compressed" in d.svg  # the 1.2 s gap is compressed and said so
    flat = t.diagram(protocol="smtp", timed=False)
    ys = [float(g.find("s:line", NS).get("y1")) for g in arrows(flat.svg)]
    assert len({round(b - a) for a, b in itertools.pairwise(ys)}) == 1


def test_proxy_connect_tunnel_lanes():
    """A client's transcript of CONNECT through a proxy: the proxy gets a lane,
    the tunnel is marked, and what follows goes to the origin via the proxy."""
    t = Transcript(title="GET https://secure.test/ via proxy")
    t.record(CLIENT, b"CONNECT secure.test:443 HTTP/1.1\r\nHost: secure.test:443\r\n"
                     b"Proxy-Authorization: Basic cHg6cHhwYXNz\r\n\r\n")
    t.record(SERVER, b"HTTP/1.1 200 Connection established\r\n\r\n")
    t.record(CLIENT, b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")
    t.record(SERVER, b"\x16\x03\x03\x00\x7a\x02\x00\x00\x76\x03\x03")
    d = t.diagram()
    assert d.lanes == ["client", "proxy", "secure.test:443"]
    got = [(a.src, a.dst, a.kind) for a in d.arrows]
    assert got[:2] == [(0, 1, "auth"), (1, 0, "reply")]
    assert got[2][:2] == (0, 2) and got[3][:2] == (2, 0) and d.arrows[2].via == 1
    assert ("tls", "tunnel to secure.test:443 open: TLS end to end through the proxy") in marks(d.svg)
    assert "cHg6cHhwYXNz" not in d.svg and "cHg6cHhwYXNz" not in d.html()
