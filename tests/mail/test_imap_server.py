import imaplib
import socket
import ssl
import subprocess
import threading
from email.message import EmailMessage

import pytest

import netbook as nb
from tests.peers import require


def rich_message():
    m = EmailMessage()
    m["From"] = "Bob Example <bob@x.org>"
    m["To"] = "alice@netbook.lab"
    m["Subject"] = "Quarterly report"
    m["Date"] = "Mon, 02 Mar 2026 10:00:00 +0000"
    m.set_content("see attachment\n")
    m.add_alternative("<p>see <b>attachment</b></p>", subtype="html")
    m.add_attachment(b"a,b\n1,2\n", maintype="text", subtype="csv", filename="report.csv")
    return m.as_bytes()


@pytest.fixture
def filled(store):
    store.deliver("alice", rich_message())
    store.deliver("alice", b"From: carol@y.org\nTo: alice@netbook.lab\nSubject: lunch?\nDate: Tue, 03 Mar 2026 12:00:00 +0000\n\nAt noon.\n")
    store.deliver("alice", b"From: bob@x.org\nTo: alice@netbook.lab\nSubject: big\nDate: Wed, 04 Mar 2026 12:00:00 +0000\n\n" + b"y" * 5000 + b"\n")
    return store


@pytest.fixture
def imap(filled):
    srv = nb.serve.imap(filled, users={"alice": "pw1"})
    c = imaplib.IMAP4(srv.host, srv.port, timeout=10)
    c.login("alice", "pw1")
    yield srv, c
    try:
        c.logout()
    except Exception:
        pass
    srv.stop()


def test_select_search(imap):
    srv, c = imap
    typ, data = c.select("INBOX")
    assert typ == "OK" and data == [b"3"]
    s = lambda q: c.search(None, q)[1][0].split()
    assert s("ALL") == [b"1", b"2", b"3"]
    assert s('FROM "bob"') == [b"1", b"3"]
    assert s("SUBJECT lunch") == [b"2"]
    assert s("BODY noon") == [b"2"]
    assert s("OR SUBJECT lunch LARGER 4000") == [b"2", b"3"]
    assert s("NOT FROM bob") == [b"2"]
    assert s("SENTSINCE 03-Mar-2026 SENTBEFORE 04-Mar-2026") == [b"2"]
    assert s("SMALLER 4000 UNSEEN") == [b"1", b"2"]
    assert s("(HEADER Subject report) 1:2") == [b"1"]
    assert c.uid("SEARCH", "UID 2:*")[1][0].split() == [b"2", b"3"]
    assert s("SINCE 1-Jan-2000") == [b"1", b"2", b"3"] and s("BEFORE 1-Jan-2000") == []
    with pytest.raises(imaplib.IMAP4.error, match="unknown search key"):
        c.search(None, "FROBNICATE")


def test_fetch_items_and_peek(imap, filled):
    srv, c = imap
    c.select("INBOX")
    typ, data = c.fetch("1", "(UID FLAGS RFC822.SIZE INTERNALDATE ENVELOPE BODYSTRUCTURE)")
    meta = data[0]
    size = filled.folder("alice").size(filled.folder("alice").snapshot()[0])
    assert f"RFC822.SIZE {size}".encode() in meta
    assert b'ENVELOPE ("Mon, 02 Mar 2026 10:00:00 +0000" "Quarterly report" (("Bob Example" NIL "bob" "x.org"))' in meta
    assert b'"TEXT" "CSV"' in meta and b'("attachment" ("FILENAME" "report.csv"))' in meta and b'"MIXED"' in meta
    typ, data = c.fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    assert data[0][1] == b"Subject: Quarterly report\r\n\r\n"
    typ, data = c.fetch("1", "(BODY.PEEK[2])")
    import base64

    assert base64.b64decode(data[0][1]) == b"a,b\n1,2\n"
    assert c.fetch("1", "(BODY.PEEK[9])")[1][0][1] == b""
    typ, data = c.fetch("1", "(BODY.PEEK[1.2] BODY.PEEK[1.1.MIME])")
    assert data[0][1] == b"<p>see <b>attachment</b></p>\r\n"
    assert data[1][1].startswith(b"Content-Type: text/plain")
    typ, data = c.fetch("2", "(BODY.PEEK[TEXT]<3.4>)")
    assert data[0][1] == b"noon"
    assert c.fetch("2", "(FLAGS)")[1] == [b"2 (FLAGS (\\Recent))"]  # PEEK left it unseen
    typ, data = c.fetch("2", "(BODY[TEXT])")
    assert b"FLAGS (\\Seen \\Recent)" in data[-1]
    typ, data = c.fetch("1:3", "(RFC822.HEADER)")
    assert len([d for d in data if isinstance(d, tuple)]) == 3
    typ, data = c.uid("FETCH", "3", "(RFC822)")
    assert data[0][0].startswith(b"3 (UID 3 RFC822 {") and data[0][1].endswith(b"y\r\n")


def test_store_copy_move_expunge_append(imap, filled):
    srv, c = imap
    c.select("INBOX")
    assert c.store("1", "+FLAGS", "(\\Flagged custom)")[1] == [b"1 (FLAGS (\\Flagged custom \\Recent))"]
    assert c.store("1", "-FLAGS", "(custom)")[1] == [b"1 (FLAGS (\\Flagged \\Recent))"]
    assert c.create("Archive")[0] == "OK"
    assert c.create("Archive")[0] == "NO"
    typ, data = c.uid("COPY", "1", "Archive")
    assert typ == "OK"
    typ, data = c._simple_command("UID", "MOVE", "2", "Archive")
    assert typ == "OK"
    assert c.select("Archive")[1] == [b"2"]
    assert c.fetch("1", "(FLAGS)")[1] == [b"1 (FLAGS (\\Flagged \\Recent))"]  # copies are recent
    typ, data = c.append("Archive", "(\\Seen)", '"05-Mar-2026 09:00:00 +0000"', b"Subject: appended\r\n\r\nhello\r\n")
    assert typ == "OK" and b"APPENDUID" in data[0]
    assert c.fetch("3", "(FLAGS INTERNALDATE)")[1] == [b'3 (INTERNALDATE "05-Mar-2026 09:00:00 +0000" FLAGS (\\Seen \\Recent))']
    assert c.append("Nowhere", None, None, b"Subject: x\r\n\r\n")[0] == "NO"
    c.store("1:2", "+FLAGS", "\\Deleted")
    typ, data = c.expunge()
    assert data == [b"2", b"1"]  # highest first: each number stays valid
    assert len(filled.folder("alice", "Archive")) == 1
    assert c.status("INBOX", "(MESSAGES UNSEEN UIDNEXT)")[1] == [b'"INBOX" (MESSAGES 2 UNSEEN 2 UIDNEXT 4)']
    assert c.rename("Archive", "Old")[0] == "OK"
    assert [l.split(b'"')[-2] for l in c.list()[1]] == [b"INBOX", b"Old"]
    assert c.delete("Old")[0] == "OK"
    assert c.list('""', 'INBOX')[1] == [b'(\\HasNoChildren) "." "INBOX"']


def test_examine_is_read_only(imap):
    srv, c = imap
    c.select("INBOX", readonly=True)
    c.fetch("2", "(BODY[])")
    assert c.fetch("2", "(FLAGS)")[1] == [b"2 (FLAGS (\\Recent))"]
    typ, data = c.store("1", "+FLAGS", "\\Seen")
    assert typ == "NO" and b"READ-ONLY" in data[0]


def test_authenticate_plain_and_wrong_password(filled):
    with nb.serve.imap(filled, users={"alice": "pw1"}) as srv:
        c = imaplib.IMAP4(srv.host, srv.port, timeout=10)
        with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
            c.login("alice", "nope")
        c.authenticate("PLAIN", lambda _: b"\0alice\0pw1")
        assert c.select("INBOX")[0] == "OK"
        c.logout()
        text = "\n".join(t.text() for t in srv.transcripts)
        assert "pw1" not in text and "nope" not in text and "AUTHENTICATE PLAIN" in text


def test_malformed_commands_get_bad_and_server_lives(imap):
    srv, c = imap
    s = socket.create_connection((srv.host, srv.port), timeout=10)
    f = s.makefile("rwb")
    f.readline()
    for line in [b"", b"a1", b"a2 FOO", b"a3 FETCH 1 (BODY[", b'a4 LOGIN "unterminated', b"a5 SELECT INBOX",
                 b"a6 LOGIN a", b"a7 ((((", b"\xff\xfe garbage", b"a8 UID", b"a9 UID FROB 1"]:
        f.write(line + b"\r\n"); f.flush()
        reply = f.readline()
        assert b" BAD " in reply or reply.startswith(b"* BAD"), (line, reply)
    f.write(b"a10 LOGIN alice pw1\r\na11 SELECT INBOX\r\n"); f.flush()
    for _ in range(30):
        line = f.readline()
        if line.startswith(b"a11 "):
            break
    assert line.startswith(b"a11 OK")
    for line in [b"a12 FETCH 99 FLAGS", b"a13 FETCH 1 (FROB)", b"a14 STORE 1 FLAGS (\\Bogus)", b"a15 SEARCH SINCE notadate",
                 b"a16 FETCH x:y FLAGS", b"a17 " + b"X" * 70000]:
        f.write(line + b"\r\n"); f.flush()
        reply = f.readline()
        assert b"BAD" in reply, (line, reply)
    # an oversized literal is refused before it is sent
    f.write(b"a18 APPEND INBOX {999999999}\r\n"); f.flush()
    assert b"a18 BAD literal" in f.readline()
    s.close()
    assert c.noop()[0] == "OK" and srv.running


def test_literal_plus_over_limit_closes_only_that_session(filled):
    with nb.serve.imap(filled, max_literal=100) as srv:
        s = socket.create_connection((srv.host, srv.port), timeout=10)
        f = s.makefile("rwb")
        f.readline()
        f.write(b"a1 LOGIN alice x\r\na2 APPEND INBOX {200+}\r\n" + b"z" * 200 + b"\r\n"); f.flush()
        f.readline()
        assert f.readline().startswith(b"* BYE")
        s.close()
        c = imaplib.IMAP4(srv.host, srv.port, timeout=10)
        c.login("alice", "x")
        assert c.select("INBOX")[1] == [b"3"]
        c.logout()


def test_idle_reports_new_mail(imap, filled):
    srv, c = imap
    c.select("INBOX")
    tag = c._new_tag()
    c.send(tag + b" IDLE\r\n")
    assert c.readline().startswith(b"+")
    threading.Timer(0.3, lambda: filled.deliver("alice", b"Subject: new\n\nx\n")).start()
    c.sock.settimeout(5)
    assert c.readline() == b"* 4 EXISTS\r\n"
    assert c.readline() == b"* 4 RECENT\r\n"  # the 3 claimed by SELECT and the new one
    c.send(b"DONE\r\n")
    assert c.readline().startswith(tag + b" OK")


def test_starttls(filled):
    with nb.serve.imap(filled, starttls=True) as srv:
        c = imaplib.IMAP4(srv.host, srv.port, timeout=10)
        assert "STARTTLS" in c.capabilities
        c.starttls(ssl.create_default_context(cafile=srv.cert))
        c.login("alice", "x")
        assert c.select("INBOX")[1] == [b"3"]
        c.logout()


def test_curl_reads_imap(filled):
    curl = require("curl")
    with nb.serve.imap(filled, users={"alice": "pw1"}) as srv:
        base = f"imap://127.0.0.1:{srv.port}"
        run = lambda *a: subprocess.run([curl, "-sS", "--max-time", "20", "-u", "alice:pw1", *a], capture_output=True, timeout=30)
        r = run(base + "/")
        assert r.returncode == 0, r.stderr
        assert b'"INBOX"' in r.stdout or b"INBOX" in r.stdout
        r = run(base + "/INBOX;UID=2")
        assert r.returncode == 0 and b"Subject: lunch?" in r.stdout and b"At noon." in r.stdout
        r = run(base + "/INBOX?SUBJECT%20lunch")
        assert r.stdout.strip() == b"* SEARCH 2"
        r = run("-X", "EXAMINE INBOX", base + "/")
        assert b"3 EXISTS" in r.stdout
        r = subprocess.run([curl, "-sS", "--max-time", "20", "-u", "alice:bad", base + "/"], capture_output=True, timeout=30)
        assert r.returncode != 0
