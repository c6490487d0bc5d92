"""netbook's telnet client against netbook's telnet lab server."""
import socket
import threading
import time

import pytest

import netbook as nb
from netbook.errors import InjectionError, NetbookError
from netbook.telnet import LoginError, TelnetTimeout, render
from netbook.telnet.iac import IACParser
from netbook.transcript import MASK

PW = "s3cr3t-PW"


def rows(srv):
    return list(srv.log.to_frame().itertuples(index=False))


def requests(srv):
    return [r.request for r in rows(srv)]


def wait_for(cond, timeout=3.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.02)
    return False


def test_iac_parser_and_render():
    p = IACParser()
    toks = p.feed(b"a\xff\xfb\x01b\xff\xff\xff\xfa\x1f\x00\x50\x00\x18\xff\xf0\xff\xf1")
    assert toks == [("data", b"a"), ("cmd", "WILL", "ECHO"), ("data", b"b\xff"), ("sb", "NAWS", b"\x00\x50\x00\x18"),
                    ("cmd", "NOP", None)]
    # state carries across feeds (an IAC split between two reads)
    p2 = IACParser()
    assert p2.feed(b"x\xff") == [("data", b"x")]
    assert p2.feed(b"\xfd\x18") == [("cmd", "DO", "TTYPE")]
    assert render(b"\xff\xfa\x18\x00vt100\xff\xf0") == "<IAC SB TTYPE IS 'vt100' IAC SE>"
    # an unterminated SB is reported once, bounded
    p3 = IACParser(max_sb=100)
    out = p3.feed(b"\xff\xfa\x18" + b"y" * 5000)
    assert [t[0] for t in out] == ["error"] and "unterminated SB" in out[0][1]


def test_echo_negotiation_table_and_session():
    srv = nb.serve.telnet("echo")
    assert srv.url.startswith("telnet://127.0.0.1:")
    with nb.telnet(srv.url) as c:
        c.read_until("quit ends")
        assert c.ask("hello, telnet", until="telnet").strip() == "hello, telnet"
        df = c.options.to_frame()
        assert list(df.columns) == ["time", "direction", "command", "option", "detail"]
        pairs = set(zip(df.direction, df.command, df.option))
        assert {("server", "WILL", "SGA"), ("client", "DO", "SGA"), ("server", "DO", "NAWS"), ("client", "WILL", "NAWS"),
                ("server", "DO", "TTYPE"), ("client", "WILL", "TTYPE")} <= pairs
        assert ("server", "WILL", "ECHO") not in pairs  # a line-style app leaves echo to the client
        assert "80x24" in set(df.detail)
        assert c.options.enabled() == {"SGA": "server", "NAWS": "client", "TTYPE": "client"}
        s = srv.sessions[0]
        assert (s.term, s.cols, s.rows) == ("NETBOOK", 80, 24)
        assert s.options == {"SGA": "server", "NAWS": "client", "TTYPE": "client"}
        text = c.transcript.text()
        assert "<IAC WILL SGA>" in text and "<IAC SB NAWS 80x24 IAC SE>" in text
        assert "SGA by server" in repr(c)
        bundle = c._repr_mimebundle_()
        assert "text/plain" in bundle and "&lt;IAC DO NAWS&gt;" in bundle["text/html"]
        head = c._header_html()  # a header, not the raw repr; its state badge says open
        assert "&lt;telnet" not in head and ">open</span>" in head and "SGA" in head
        # negotiation lines count their wire bytes: the lines add up to every byte sent and received
        rows = c.transcript.to_frame()
        nego = rows[rows.text.str.startswith("<IAC")]
        assert len(nego) and (nego.bytes >= 3).all()
        assert rows.bytes.sum() == sum(c.transcript.total.values())
    # log: negotiation rows before the session, the line, the close
    assert wait_for(lambda: "disconnect" in requests(srv))
    req = requests(srv)
    assert req.index("client DO SGA") < req.index("session") < req.index("hello, telnet")
    assert "client SB NAWS" in req and req[-1] == "disconnect"
    st = srv.transcripts[-1].text()
    assert "→ hello, telnet" in st and "<IAC DO NAWS>" in st


def test_menu_login_and_password_masked_everywhere():
    srv = nb.serve.telnet("menu", users={"alice": PW})
    c = nb.telnet(srv.url_for("alice"), password=PW)
    assert c.ask("whoami", until="$ ").splitlines()[1] == "alice"
    assert "commands: help, date, whoami" in c.ask("help", until="$ ")
    out = c.ask("options", until="$ ")
    assert "term NETBOOK, window 80x24" in out and "ECHO by server" in out
    pairs = set(zip(c.options.to_frame().direction, c.options.to_frame().command, c.options.to_frame().option))
    assert ("server", "WILL", "ECHO") in pairs and ("client", "DO", "ECHO") in pairs
    c.send("quit")
    assert "bye" in c.read(0.3)
    c.close()
    # the password is nowhere: client transcript, server transcript, log, reprs, frames
    assert wait_for(lambda: "disconnect" in requests(srv))
    places = [c.transcript.text(), repr(c.transcript), c.to_frame().to_string(), repr(c), repr(c.options),
              srv.transcripts[-1].text(), srv.log.to_frame().to_string(), repr(srv)]
    for p in places:
        assert PW not in p
    assert f"→ {MASK}" in c.transcript.text() and f"→ {MASK}" in srv.transcripts[-1].text()
    assert PW in c.transcript.text(reveal=True)  # only when asked
    assert ("login alice", "ok") in [(r.request, r.status) for r in rows(srv)]
    # the server did not echo the password (it owns echo: WILL ECHO)
    raw = b"".join(e.data for e in srv.transcripts[-1].entries if e.direction == "S>C")
    assert PW.encode() not in raw and b"whoami" in raw


def test_wrong_password_clear_error_no_leak():
    srv = nb.serve.telnet("menu", users={"alice": PW})
    with pytest.raises(LoginError) as e:
        nb.telnet(srv.url_for("alice"), password="not-the-pw")
    assert "login refused for 'alice'" in str(e.value) and "not-the-pw" not in str(e.value)
    assert isinstance(e.value, NetbookError)
    assert wait_for(lambda: "failed" in [r.status for r in rows(srv)])
    assert "not-the-pw" not in srv.log.to_frame().to_string() + srv.transcripts[-1].text()
    # the server lives on
    c = nb.telnet(srv.url_for("alice"), password=PW)
    assert "alice" in c.ask("whoami", until="$ ")
    c.close()


def test_callable_app_and_session_close():
    seen = []

    def app(line, session):
        seen.append((line, session.term))
        if line == "bye":
            session.close()
            return "closing"
        return line.upper()

    srv = nb.serve.telnet(app, name="shout")
    c = nb.telnet(srv.url)
    assert c.ask("hey", until="HEY").endswith("HEY")
    c.send("bye")
    assert "closing" in c.read(0.5)
    assert seen[0] == ("hey", "NETBOOK")
    assert wait_for(lambda: not srv.sessions)
    c.close()


def test_callable_app_error_keeps_serving():
    def app(line, session):
        if line == "boom":
            raise RuntimeError("bad lab code")
        return "ok " + line

    srv = nb.serve.telnet(app)
    with nb.telnet(srv.url) as c:
        assert "error: RuntimeError" in c.ask("boom", until="RuntimeError")
        assert "ok again" in c.ask("again", until="again")
    assert "error" in [r.status for r in rows(srv)]


def test_chat_two_clients():
    srv = nb.serve.telnet("chat")
    a, b = nb.telnet(srv.url), nb.telnet(srv.url)
    a.read_until("welcome")
    b.read_until("welcome")
    a.send("/nick ann")
    a.read_until("you are ann")
    a.send("hello room")
    assert "[ann] hello room" in b.read_until("hello room")
    b.send("/who")
    assert "ann" in b.read_until("\n", 2) + b.read(0.3)
    a.close()
    assert "* ann left" in b.read_until("left")
    b.close()


def test_options_choose_what_the_server_asks():
    srv = nb.serve.telnet("echo", options={"linemode": True, "ttype": False, "echo": True})
    with nb.telnet(srv.url) as c:
        c.read_until("quit ends")
        df = c.options.to_frame()
        sent = set(zip(df.direction, df.command, df.option))
        assert ("server", "DO", "LINEMODE") in sent and ("client", "WONT", "LINEMODE") in sent
        assert ("server", "WILL", "ECHO") in sent
        assert not any(o == "TTYPE" for _, _, o in sent)
    with pytest.raises(ValueError, match="unknown option"):
        nb.serve.telnet("echo", options={"teleport": True})
    with pytest.raises(ValueError, match="app"):
        nb.serve.telnet("nope")


def test_crlf_injection_refused_client_side():
    srv = nb.serve.telnet("echo")
    with nb.telnet(srv.url) as c:
        c.read_until("quit ends")
        before = c.transcript.total["C>S"]
        for bad in ("a\r\nquit", "a\nb", "a\rb", "a\0b"):
            with pytest.raises(InjectionError):
                c.send(bad)
        assert c.transcript.total["C>S"] == before
        with pytest.raises(InjectionError):
            c.login("alice\r\nroot", "x")
        # UTF-8 text never holds byte 255; a doubled IAC in raw data is one data byte, not a command
        c.send("ÿ literal")
        assert "ÿ literal" in c.read_until("literal")
        c.send_raw(b"raw\xff\xffbyte\r\n")
        assert "raw\ufffdbyte" in c.read_until("byte")


def test_over_long_line_binary_nul_and_server_lives():
    srv = nb.serve.telnet("echo", max_line=100)
    with nb.telnet(srv.url) as c:
        c.read_until("quit ends")
        c.send("x" * 5000)
        assert "error: line over 100 bytes" in c.read_until("ignored")
        c.send_raw(bytes(range(0, 255)).replace(b"\n", b"").replace(b"\r", b"") + b"\r\n")  # binary garbage, no IAC
        c.read(0.3)
        c.send_raw(b"nul\x00byte\r\n")
        assert "nulbyte" in c.read_until("nulbyte")
        assert c.ask("still here", until="here").strip().endswith("still here")
    assert ("(line too long)", "refused") in [(r.request, r.status) for r in rows(srv)]
    assert srv.running


@pytest.mark.parametrize("attack", ["nop-flood", "do-flood", "unterminated-sb"])
def test_iac_flood_and_unterminated_sb_close_the_session_only(attack):
    srv = nb.serve.telnet("echo", max_commands=200)
    payload = {"nop-flood": b"\xff\xf1" * 5000, "do-flood": b"\xff\xfd\x63" * 3000,
               "unterminated-sb": b"\xff\xfa\x18" + b"A" * 20000}[attack]
    s = socket.create_connection((srv.host, srv.port), timeout=5)
    try:
        s.sendall(payload)
    except OSError:
        pass
    got = b""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            d = s.recv(65536)
        except OSError:
            break
        if not d:
            break
        got += d
    s.close()
    assert b"closing" in got  # told why, then closed
    assert wait_for(lambda: "disconnect" in requests(srv))
    detail = " ".join(r.detail for r in rows(srv) if r.request == "(negotiation)")
    assert ("unterminated SB" in detail) if attack == "unterminated-sb" else ("over 200 telnet commands" in detail)
    assert len(srv.log.to_frame()) < 260  # bounded rows
    with nb.telnet(srv.url) as c:  # the server lives
        c.read_until("quit ends")
        assert "ok" in c.ask("ok", until="ok")


def test_session_limit_and_stop_closes_sessions():
    srv = nb.serve.telnet("echo", max_sessions=2)
    a, b = nb.telnet(srv.url), nb.telnet(srv.url)
    a.read_until("quit ends")
    b.read_until("quit ends")
    s = socket.create_connection((srv.host, srv.port), timeout=3)
    assert b"too many sessions" in s.recv(1000)
    s.close()
    assert "refused" in [r.status for r in rows(srv)]
    srv.stop()
    for c in (a, b):
        with pytest.raises(NetbookError):
            c.read_until("never", timeout=2)
        c.close()
    assert not srv.running and srv.sessions == []


def test_timeout_is_a_clear_error():
    srv = nb.serve.telnet("echo")
    with nb.telnet(srv.url) as c:
        with pytest.raises(TelnetTimeout, match="no 'nothing-like-this' within"):
            c.read_until("nothing-like-this", timeout=0.3)
        with pytest.raises(TelnetTimeout):
            c.expect([r"zz+"], timeout=0.2)


def test_script_and_expect():
    srv = nb.serve.telnet("menu", users={"bob": PW})
    c = nb.telnet(srv.url)
    df = c.script([(r"login: $", "bob"), (r"Password: $", PW), (r"\$ $", "whoami"), (r"bob", "quit")])
    assert list(df.columns) == ["step", "expect", "send", "received"]
    assert "bye" in df.received.iloc[-1]
    # a script's password line is masked too (it followed a Password: prompt)
    assert PW not in c.transcript.text() and f"→ {MASK}" in c.transcript.text()
    c.close()


def test_replacing_by_name_and_listing():
    a = nb.serve.telnet("echo", name="tn")
    b = nb.serve.telnet("chat", name="tn")
    assert not a.running and b.running
    assert "telnet (chat)" in nb.serve.list().static_html()


def test_threads_do_not_pile_up():
    before = threading.active_count()
    for _ in range(3):
        srv = nb.serve.telnet("echo")
        with nb.telnet(srv.url) as c:
            c.read_until("quit ends")
        srv.stop()
    assert threading.active_count() <= before + 2


def test_starts_inside_a_running_event_loop():
    """A Jupyter kernel runs an event loop in the main thread."""
    import asyncio

    async def main():
        srv = nb.serve.telnet("echo")
        await asyncio.sleep(0)
        return srv

    srv = asyncio.run(main())
    with nb.telnet(srv.url) as c:
        assert "quit ends" in c.read_until("quit ends")


def test_port_in_use_is_a_clear_error_and_leaves_no_thread():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        with pytest.raises(OSError):
            nb.serve.telnet("echo", port=s.getsockname()[1])
    assert not [t for t in threading.enumerate() if t.name.startswith("netbook-telnet")]
