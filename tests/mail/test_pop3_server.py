import poplib
import socket
import ssl
import subprocess

import pytest

import netbook as nb
from tests.peers import require


def fill(store, n=3, user="alice"):
    for i in range(n):
        store.deliver(user, f"From: bob@x\nTo: {user}@netbook.lab\nSubject: m{i}\n\n.starts with a dot\nbody {i}\n".encode())


def test_full_session_with_poplib(store):
    fill(store)
    with nb.serve.pop3(store, users={"alice": "pw1"}) as srv:
        p = poplib.POP3(srv.host, srv.port, timeout=10)
        assert "TOP" in p.capa() and "UIDL" in p.capa()
        p.user("alice")
        p.pass_("pw1")
        assert p.stat()[0] == 3
        resp, lines, octets = p.retr(1)
        assert lines[4] == b".starts with a dot"  # dot-unstuffed by poplib
        assert octets == store.folder("alice").size(store.folder("alice").snapshot()[0])
        assert p.top(2, 0)[1][-1] == b""
        uid1 = p.uidl(1).split()[2]
        p.dele(1)
        assert p.stat()[0] == 2
        with pytest.raises(poplib.error_proto, match="no such message"):
            p.retr(1)
        p.rset()
        p.dele(2)
        p.quit()
        # deletions are committed at QUIT; UIDLs are stable
        p = poplib.POP3(srv.host, srv.port, timeout=10)
        p.user("alice")
        p.pass_("pw1")
        assert p.stat()[0] == 2
        assert p.uidl(1).split()[2] == uid1
        p.quit()
        log = srv.log.to_frame()
        assert "PASS ••••" in set(log["request"])


def test_apop_and_wrong_passwords(store):
    fill(store, 1)
    with nb.serve.pop3(store, users={"alice": "pw1"}) as srv:
        p = poplib.POP3(srv.host, srv.port, timeout=10)
        with pytest.raises(poplib.error_proto, match="AUTH"):
            p.apop("alice", "nope")
        p.apop("alice", "pw1")
        assert p.stat()[0] == 1
        p.quit()
        p = poplib.POP3(srv.host, srv.port, timeout=10)
        p.user("mallory")
        with pytest.raises(poplib.error_proto, match="invalid user name or password"):
            p.pass_("pw1")
        p.quit()


def test_maildrop_lock(store):
    fill(store, 1)
    with nb.serve.pop3(store) as srv:
        a = poplib.POP3(srv.host, srv.port, timeout=10)
        a.user("alice")
        a.pass_("x")
        b = poplib.POP3(srv.host, srv.port, timeout=10)
        b.user("alice")
        with pytest.raises(poplib.error_proto, match="IN-USE"):
            b.pass_("x")
        a.quit()
        b.user("alice")
        b.pass_("x")
        b.quit()


def test_malformed_commands_get_err_and_server_lives(store):
    with nb.serve.pop3(store) as srv:
        s = socket.create_connection((srv.host, srv.port), timeout=10)
        f = s.makefile("rwb")
        f.readline()
        replies = []
        for cmd in (b"BOGUS", b"STAT", b"USER", b"\xff\xfe", b"RETR x", b"X" * 20000, b"APOP onlyname"):
            f.write(cmd + b"\r\n")
            f.flush()
            replies.append(f.readline())
        assert all(r.startswith(b"-ERR") for r in replies), replies
        f.write(b"USER alice\r\nPASS x\r\nRETR abc\r\nTOP 1\r\nQUIT\r\n")
        f.flush()
        rest = [f.readline() for _ in range(5)]
        assert rest[0].startswith(b"+OK") and rest[1].startswith(b"+OK") and rest[2].startswith(b"-ERR") and rest[3].startswith(b"-ERR")
        s.close()
        assert srv.running
        p = poplib.POP3(srv.host, srv.port, timeout=10)
        p.user("bob")
        p.pass_("x")
        assert p.stat() == (0, 0)
        p.quit()


def test_stls(store):
    fill(store, 1)
    with nb.serve.pop3(store, starttls=True) as srv:
        p = poplib.POP3(srv.host, srv.port, timeout=10)
        assert "STLS" in p.capa()
        p.stls(ssl.create_default_context(cafile=srv.cert))
        p.user("alice")
        p.pass_("x")
        assert p.stat()[0] == 1
        p.quit()
        assert "+OK 1 " in srv.transcripts[-1].text()


def test_curl_reads_pop3(store):
    curl = require("curl")
    fill(store, 2)
    with nb.serve.pop3(store, users={"alice": "pw1"}) as srv:
        r = subprocess.run([curl, "-sS", "--max-time", "20", "-u", "alice:pw1", f"pop3://127.0.0.1:{srv.port}/"], capture_output=True, timeout=30)
        assert r.returncode == 0, r.stderr
        size = store.folder("alice").size(store.folder("alice").snapshot()[0])
        assert r.stdout.split(b"\r\n")[:2] == [f"1 {size}".encode(), f"2 {size}".encode()]
        r = subprocess.run([curl, "-sS", "--max-time", "20", "-u", "alice:pw1", f"pop3://127.0.0.1:{srv.port}/2"], capture_output=True, timeout=30)
        assert b"Subject: m1" in r.stdout and b"\r\n.starts with a dot" in r.stdout
        r = subprocess.run([curl, "-sS", "--max-time", "20", "-u", "alice:wrong", f"pop3://127.0.0.1:{srv.port}/"], capture_output=True, timeout=30)
        assert r.returncode != 0
