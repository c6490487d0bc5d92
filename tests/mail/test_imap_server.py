import imaplib
import os
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
    def s(q):
        return c.search(None, q)[1][0].split()
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
    assert [line.split(b'"')[-2] for line in c.list()[1]] == [b"INBOX", b"Old"]
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
        f.write(line + b"\r\n")
        f.flush()
        reply = f.readline()
        assert b" BAD " in reply or reply.startswith(b"* BAD"), (line, reply)
    f.write(b"a10 LOGIN alice pw1\r\na11 SELECT INBOX\r\n")
    f.flush()
    for _ in range(30):
        line = f.readline()
        if line.startswith(b"a11 "):
            break
    assert line.startswith(b"a11 OK")
    for line in [b"a12 FETCH 99 FLAGS", b"a13 FETCH 1 (FROB)", b"a14 STORE 1 FLAGS (\\Bogus)", b"a15 SEARCH SINCE notadate",
                 b"a16 FETCH x:y FLAGS", b"a17 " + b"X" * 70000]:
        f.write(line + b"\r\n")
        f.flush()
        reply = f.readline()
        assert b"BAD" in reply, (line, reply)
    # an oversized literal is refused before it is sent
    f.write(b"a18 APPEND INBOX {999999999}\r\n")
    f.flush()
    assert b"a18 BAD literal" in f.readline()
    s.close()
    assert c.noop()[0] == "OK" and srv.running


def test_literal_plus_over_limit_closes_only_that_session(filled):
    with nb.serve.imap(filled, max_literal=100) as srv:
        s = socket.create_connection((srv.host, srv.port), timeout=10)
        f = s.makefile("rwb")
        f.readline()
        f.write(b"a1 LOGIN alice x\r\na2 APPEND INBOX {200+}\r\n" + b"z" * 200 + b"\r\n")
        f.flush()
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
    assert c.search(None, "NEW")[1] == [b"1 2 3 4"]


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
        def run(*a):
            return subprocess.run([curl, "-sS", "--max-time", "20", "-u", "alice:pw1", *a], capture_output=True,
                                  timeout=30)
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


# ---------------------------------------------------------------------------
# \Recent (RFC 3501 2.3.2)
# ---------------------------------------------------------------------------


def _login(srv, user="alice", pw="pw1"):
    c = imaplib.IMAP4(srv.host, srv.port, timeout=10)
    c.login(user, pw)
    return c


def test_recent_is_claimed_by_the_first_read_write_select(imap, filled):
    srv, c1 = imap
    inbox = filled.folder("alice")
    new_dir = inbox.md._path + "/new"
    assert len(os.listdir(new_dir)) == 3  # delivered mail waits in new/
    assert c1.status("INBOX", "(RECENT MESSAGES)")[1] == [b'"INBOX" (RECENT 3 MESSAGES 3)']
    # EXAMINE looks without claiming (RFC 3501 6.3.2)
    c1.select("INBOX", readonly=True)
    assert c1.response("RECENT")[1] == [b"3"]
    assert c1.fetch("1", "(FLAGS)")[1] == [b"1 (FLAGS (\\Recent))"]
    c1.close()
    assert len(os.listdir(new_dir)) == 3
    # SELECT claims: new/ -> cur/, \Recent for this session only
    c1.select("INBOX")
    assert c1.response("RECENT")[1] == [b"3"]
    assert os.listdir(new_dir) == []
    c2 = _login(srv)
    try:
        assert c2.status("INBOX", "(RECENT)")[1] == [b'"INBOX" (RECENT 0)']
        c2.select("INBOX")
        assert c2.response("RECENT")[1] == [b"0"]
        assert c2.fetch("1", "(FLAGS)")[1] == [b"1 (FLAGS ())"]
        assert c2.search(None, "RECENT")[1] == [b""] and c2.search(None, "OLD")[1] == [b"1 2 3"]
        # SEARCH RECENT / NEW / OLD in the claiming session
        c1.store("2", "+FLAGS.SILENT", "(\\Seen)")
        def s(q):
            return c1.search(None, q)[1][0].split()
        assert s("RECENT") == [b"1", b"2", b"3"] and s("NEW") == [b"1", b"3"] and s("OLD") == []
        assert s("NOT NEW") == [b"2"] and s("OR OLD SEEN") == [b"2"]
        # \Recent cannot be stored (BAD, as Dovecot); replacing flags keeps it
        with pytest.raises(imaplib.IMAP4.error, match=r"\\Recent"):
            c1.store("1", "+FLAGS", "(\\Recent)")
        with pytest.raises(imaplib.IMAP4.error, match=r"\\Recent"):
            c1.append("INBOX", "(\\Recent)", None, b"Subject: x\r\n\r\nx\r\n")
        assert c1.store("1", "FLAGS", "(\\Flagged)")[1] == [b"1 (FLAGS (\\Flagged \\Recent))"]
        # new mail: the first session to sync claims it; RECENT is sent when it changes
        c1.response("EXISTS"), c2.response("EXISTS")  # imaplib keeps untagged answers until asked
        filled.deliver("alice", b"Subject: fourth\n\nx\n")
        c1.noop()
        assert c1.response("EXISTS")[1] == [b"4"] and c1.response("RECENT")[1] == [b"4"]
        c2.noop()
        assert c2.response("EXISTS")[1] == [b"4"] and c2.response("RECENT")[1] == [None]
        assert c2.fetch("4", "(FLAGS)")[1] == [b"4 (FLAGS ())"]
        # COPY and APPEND make recent messages in the target
        c1.create("Archive")
        c1.copy("1:2", "Archive")
        c1.append("Archive", "(\\Seen)", None, b"Subject: appended\r\n\r\nx\r\n")
        assert c2.status("Archive", "(MESSAGES RECENT UNSEEN)")[1] == [b'"Archive" (MESSAGES 3 RECENT 3 UNSEEN 1)']
        c2.select("Archive")
        assert c2.response("RECENT")[1] == [b"3"]
        assert c2.fetch("1:3", "(FLAGS)")[1] == [b"1 (FLAGS (\\Flagged \\Recent))", b"2 (FLAGS (\\Seen \\Recent))",
                                                 b"3 (FLAGS (\\Seen \\Recent))"]
    finally:
        c2.logout()
    # a session's claim ends with it: the next session sees nothing recent
    c1.logout()
    c3 = _login(srv)
    c3.select("INBOX")
    assert c3.response("RECENT")[1] == [b"0"]
    c3.logout()


def _recent_scenario(host, port, user, password, deliver):
    """The same \\Recent story told to a server; returns what it answered."""
    obs = []

    def told(label, c):
        obs.append((label, c.response("EXISTS")[1], c.response("RECENT")[1]))

    def only(seq, data):  # ignore unsolicited flag updates from other sessions
        return [d for d in data if d.startswith(seq.encode() + b" ")]

    deliver(3)
    c1, c2 = imaplib.IMAP4(host, port, timeout=10), imaplib.IMAP4(host, port, timeout=10)
    c1.login(user, password)
    c2.login(user, password)
    def status(c, box):
        return c.status(box, "(MESSAGES RECENT)")[1][0].split(b" (")[1]
    obs.append(status(c1, "INBOX"))
    c1.select("INBOX", readonly=True)
    told("examine", c1)
    obs.append(c1.fetch("1:*", "(FLAGS)")[1])
    c1.close()
    obs.append(status(c1, "INBOX"))
    c1.select("INBOX")
    told("select", c1)
    obs.append(c1.fetch("1:*", "(FLAGS)")[1])
    obs += [c1.search(None, k)[1] for k in ("RECENT", "NEW", "OLD", "NOT RECENT")]
    c2.select("INBOX")
    told("second select", c2)
    obs += [c2.search(None, k)[1] for k in ("RECENT", "NEW", "OLD")]
    obs.append(status(c2, "INBOX"))
    obs.append(c1.store("1", "+FLAGS", "(\\Seen)")[1])
    obs.append(c1.store("2", "FLAGS", "(\\Flagged)")[1])
    obs.append(c1.search(None, "NEW")[1])
    try:
        c1.store("2", "+FLAGS", "(\\Recent)")
        obs.append("stored \\Recent")
    except imaplib.IMAP4.error as e:
        obs.append("BAD" if "BAD" in str(e) else str(e))
    deliver(1)
    c1.noop()
    told("noop 1", c1)
    c2.noop()
    told("noop 2", c2)
    obs.append(only("4", c1.fetch("4", "(FLAGS)")[1]))
    obs.append(only("4", c2.fetch("4", "(FLAGS)")[1]))
    c1.create("Archive")
    obs.append(c1.copy("1:2", "Archive")[0])
    obs.append(status(c2, "Archive"))
    c2.select("Archive")
    told("archive", c2)
    obs.append(c2.fetch("1:*", "(FLAGS)")[1])
    obs.append(c1.append("Archive", "(\\Seen)", None, b"Subject: appended\r\n\r\nx\r\n")[0])
    c2.noop()
    told("archive noop", c2)
    obs.append(c2.fetch("3", "(FLAGS)")[1])
    c1.logout()
    c3 = imaplib.IMAP4(host, port, timeout=10)
    c3.login(user, password)
    c3.select("INBOX")
    told("after logout", c3)
    obs.append(c3.search(None, "RECENT")[1])
    c3.logout()
    c2.logout()
    return obs


def test_recent_answers_match_dovecot(dovecot, store):
    """Dovecot is the reference: the same story, the same answers."""
    md = dovecot.maildir("recent")

    def into_dovecot(n):
        for _ in range(n):
            md.add(b"Subject: m\n\nx\n")
        dovecot.fix_owner("recent")

    reference = _recent_scenario("127.0.0.1", dovecot.imap_port, "recent", dovecot.password, into_dovecot)
    with nb.serve.imap(store) as srv:
        ours = _recent_scenario(srv.host, srv.port, "recent", "x",
                                lambda n: [store.deliver("recent", b"Subject: m\n\nx\n") for _ in range(n)])
    assert ours == reference
    assert ("select", [b"3"], [b"3"]) in ours and ("second select", [b"3"], [b"0"]) in ours


# ---------------------------------------------------------------------------
# modified UTF-7 mailbox names (RFC 3501 5.1.3)
# ---------------------------------------------------------------------------

UNICODE_NAMES = {"Entwürfe": "Entw&APw-rfe", "日本語": "&ZeVnLIqe-", "a&b": "a&-b", "Work.Ünter": "Work.&ANw-nter"}


def test_unicode_mailboxes_with_imaplib(imap, filled):
    srv, c = imap
    for wire in UNICODE_NAMES.values():
        assert c.create(f'"{wire}"')[0] == "OK"
    listed = [line.rsplit(b' "." ', 1)[1].strip(b'"').decode() for line in c.list()[1]]
    assert sorted(listed) == sorted(["INBOX", *UNICODE_NAMES.values()])
    assert c.list('""', "Work.%")[1] == [b'(\\HasNoChildren) "." "Work.&ANw-nter"']
    assert c.list('""', "Entw*")[1] == [b'(\\HasNoChildren) "." "Entw&APw-rfe"']
    # on disk: Maildir++ directories in modified UTF-7, as Dovecot keeps them
    root = filled.maildir("alice")._path
    assert {d for d in os.listdir(root) if d.startswith(".")} == {"." + w for w in UNICODE_NAMES.values()}
    assert filled.folders("alice") == ["INBOX", "Entwürfe", "Work.Ünter", "a&b", "日本語"]
    c.select("INBOX")
    assert c.uid("COPY", "1", '"Entw&APw-rfe"')[0] == "OK"
    assert c._simple_command("UID", "MOVE", "2", '"&ZeVnLIqe-"')[0] == "OK"
    assert c.append('"a&-b"', None, None, b"Subject: amp\r\n\r\nx\r\n")[0] == "OK"
    assert c.status('"&ZeVnLIqe-"', "(MESSAGES RECENT)")[1] == [b'"&ZeVnLIqe-" (MESSAGES 1 RECENT 1)']
    assert c.select('"Entw&APw-rfe"')[1] == [b"1"]
    assert c.fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")[1][0][1] == b"Subject: Quarterly report\r\n\r\n"
    assert c.select('"a&-b"', readonly=True)[1] == [b"1"]
    assert c.subscribe('"a&-b"')[0] == "OK"
    assert c.rename('"Entw&APw-rfe"', '"Entwürfe (alt) &AOk-"'.replace("ü", "&APw-"))[0] == "OK"
    assert "Entwürfe (alt) é" in filled.folders("alice")
    assert c.delete('"Entw&APw-rfe (alt) &AOk-"')[0] == "OK"
    assert [len(filled.folder("alice", n)) for n in ("日本語", "a&b")] == [1, 1]


@pytest.mark.parametrize("wire,reply", [
    ("&AC4ALg-", b"not valid modified UTF-7"),       # '..' hidden in base64
    ("&AC4ALg-&AC8-etc", b"not valid modified UTF-7"),
    ("x.&AC4ALg-.y", b"not valid modified UTF-7"),
    ("&AC8-tmp", b"not valid modified UTF-7"),        # '/' hidden in base64
    ("&Jjo", b"unterminated"),
    ("&AGE-&AGI-", b"not the canonical form"),
    ("&2D0-", b"bad UTF-16"),
    ("..", b"refused"),
    ("../../etc", b"refused"),
    ("a/b", b"refused"),
    ("&AAA-", b"refused"),                           # NUL, properly encoded
    ("a&AA0ACg-b", b"refused"),                      # CR LF, properly encoded
    ("&IC4-x", b"refused"),                          # RIGHT-TO-LEFT OVERRIDE (a format character)
])
def test_bad_mailbox_names_get_no_and_nothing_is_created(imap, filled, wire, reply):
    srv, c = imap
    root = filled.root
    before = sorted(os.walk(root))
    for cmd in (f'CREATE "{wire}"', f'SELECT "{wire}"', f'STATUS "{wire}" (MESSAGES)', f'RENAME INBOX "{wire}"'):
        typ, data = c.xatom(*cmd.split(" ", 1))
        assert typ == "NO" and reply in data[0], (cmd, data)
    assert sorted(os.walk(root)) == before
    assert c.noop()[0] == "OK" and srv.running


def test_raw_8bit_and_literal_names_are_refused(imap, filled):
    srv, c = imap
    s = socket.create_connection((srv.host, srv.port), timeout=10)
    f = s.makefile("rwb")
    f.readline()
    f.write(b"a1 LOGIN alice pw1\r\n")
    f.flush()
    while not f.readline().startswith(b"a1 "):
        pass
    for i, line in enumerate([b'CREATE "Entw\xc3\xbcrfe"', b"CREATE {4+}\r\na\r\nb", b"CREATE {3+}\r\na\x00b",
                              b'CREATE "&-&AC4ALg-"'], 2):
        f.write(b"a%d " % i + line + b"\r\n")
        f.flush()
        reply = f.readline()
        assert reply.startswith(b"a%d NO" % i) or reply.startswith(b"a%d BAD" % i), (line, reply)
    s.close()
    assert filled.folders("alice") == ["INBOX"]


def test_curl_recent_and_unicode_folder(filled):
    curl = require("curl")
    filled.folder("alice", "Entwürfe", create=True)
    filled.deliver("alice", b"Subject: draft\n\nEntwurf\n", folder="Entwürfe")
    with nb.serve.imap(filled, users={"alice": "pw1"}) as srv:
        base = f"imap://127.0.0.1:{srv.port}"
        def run(*a):
            return subprocess.run([curl, "-sS", "--max-time", "20", "-u", "alice:pw1", *a], capture_output=True,
                                  timeout=30)
        r = run(base + "/")
        assert r.returncode == 0 and b'"Entw&APw-rfe"' in r.stdout, r
        r = run("-X", "STATUS INBOX (MESSAGES RECENT)", base + "/")
        assert r.stdout.strip() == b'* STATUS "INBOX" (MESSAGES 3 RECENT 3)'
        r = run(base + "/INBOX?RECENT")  # curl SELECTs: this session claims the three
        assert r.stdout.strip() == b"* SEARCH 1 2 3"
        r = run(base + "/INBOX?RECENT")  # ... so the next one finds none
        assert r.stdout.strip() == b"* SEARCH"
        r = run("-X", "EXAMINE Entw&APw-rfe", base + "/")  # looks, claims nothing
        assert b"* 1 EXISTS\r\n* 1 RECENT" in r.stdout
        r = run(base + "/Entw%26APw-rfe;UID=1")  # SELECT + FETCH: claims it
        assert r.returncode == 0 and b"Subject: draft" in r.stdout and b"Entwurf" in r.stdout, r
        r = run("-X", "EXAMINE Entw&APw-rfe", base + "/")
        assert b"* 1 EXISTS\r\n* 0 RECENT" in r.stdout
        r = run("-X", "STATUS &AC4ALg- (MESSAGES)", base + "/")
        assert r.returncode != 0 and b"* STATUS" not in r.stdout
