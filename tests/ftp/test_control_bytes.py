"""Issue 11 bug 8: NUL, CR or LF bytes inside an FTP command line.  Before:
``SIZE a\\x00b`` dropped the session with no reply and no log row (a ValueError
inside pyftpdlib); ``MKD a\\rb`` created a folder the listings hide and echoed
the bare CR in its 257 reply.  Now: 501, the session goes on, a log row."""
import os
import socket

import pytest


def _session(srv):
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
    f = s.makefile("rb")

    def cmd(line: bytes) -> bytes:
        s.sendall(line + b"\r\n")
        reply = f.readline()
        while reply[3:4] == b"-":  # multi-line reply
            reply = f.readline()
        return reply

    assert f.readline().startswith(b"220")
    assert cmd(b"USER alice").startswith(b"331")
    assert cmd(b"PASS pw").startswith(b"230")
    assert cmd(b"TYPE I").startswith(b"200")
    return s, cmd


@pytest.mark.parametrize("line,what", [
    (b"SIZE a\x00b", b"NUL"), (b"CWD \x00", b"NUL"), (b"RETR hello.txt\x00.evil", b"NUL"),
    (b"MKD a\rb", b"CR"), (b"MKD c\nd", b"LF"), (b"RNFR hello.txt\r", b"CR"),
])
def test_control_bytes_are_refused_and_the_session_goes_on(srv, line, what):
    s, cmd = _session(srv)
    try:
        reply = cmd(line)
        assert reply.startswith(b"501 ") and what in reply and reply.endswith(b"\r\n")
        assert b"\r" not in reply[:-2] and b"\0" not in reply
        assert cmd(b"SIZE hello.txt") == b"213 15\r\n"  # same session, still in sync
        assert cmd(b"PWD").startswith(b"257")
    finally:
        s.close()
    home = srv.home("alice")
    assert sorted(os.listdir(home)) == ["hello.txt", "reports"]  # nothing hidden was made
    rows = srv.log.snapshot()
    mine = [r for r in rows if r[3] == "501"]
    assert mine and "\r" not in mine[-1][2] and "\0" not in mine[-1][2] and "\\" in mine[-1][2]


def test_other_sessions_are_untouched(srv):
    s1, cmd1 = _session(srv)
    s2, cmd2 = _session(srv)
    try:
        assert cmd1(b"SIZE a\x00b").startswith(b"501")
        assert cmd2(b"SIZE hello.txt") == b"213 15\r\n"
        assert cmd1(b"NOOP").startswith(b"200")
    finally:
        s1.close()
        s2.close()
