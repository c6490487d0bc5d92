"""Issue 11 regressions in the mail family (each test names its bug)."""
import pytest

from netbook.mail import POP3

from .conftest import PASSWORDS


def test_bug6_pop3_to_frame_with_a_message_without_date(mail_lab):
    mail_lab.store.deliver("alice", b"From: a@b.c\r\nSubject: dated\r\nDate: Tue, 1 Dec 2026 10:00:00 +0000\r\n\r\nx\r\n")
    mail_lab.store.deliver("alice", b"From: a@b.c\r\nSubject: undated\r\n\r\nno date here\r\n")
    with POP3(mail_lab.pop3.url_for("alice"), password=PASSWORDS["alice"]) as p:
        df = p.to_frame()
    assert list(df["subject"]) == ["dated", "undated"]
    assert str(df["date"].dtype).startswith("datetime64")
    assert df["date"].iloc[0].year == 2026 and df["date"].isna().iloc[1]


def test_bug6_pop3_to_frame_when_no_message_has_a_date(mail_lab):
    mail_lab.store.deliver("alice", b"From: a@b.c\r\nSubject: undated\r\n\r\nx\r\n")
    with POP3(mail_lab.pop3.url_for("alice"), password=PASSWORDS["alice"]) as p:
        df = p.to_frame()
    assert list(df["subject"]) == ["undated"] and df["date"].isna().all()


BARE_CR = [
    b"Subject: bare CR\r\n\r\na bare CR before the line end\r\r\nend\r\n",
    b"Subject: bare CRs\r\n\r\nin\rthe\rmiddle\r\r\r\nand \r\n\r\r\n",
]


def _pop3_list_and_retr(lab, n):
    import socket

    with socket.create_connection((lab.pop3.host, lab.pop3.port), timeout=5) as s:
        f = s.makefile("rb")
        f.readline()
        for line in (b"USER alice", b"PASS " + PASSWORDS["alice"].encode()):
            s.sendall(line + b"\r\n")
            assert f.readline().startswith(b"+OK")
        s.sendall(b"LIST %d\r\n" % n)
        announced = int(f.readline().split()[2])
        s.sendall(b"RETR %d\r\n" % n)
        head = f.readline()
        assert head.startswith(b"+OK")
        body = b""
        while True:
            line = f.readline()
            if line == b".\r\n":
                break
            body += line[1:] if line.startswith(b".") else line
        s.sendall(b"QUIT\r\n")
    return announced, body


@pytest.mark.parametrize("raw", BARE_CR, ids=["before line end", "many"])
def test_bug9_pop3_list_size_matches_bytes_sent(mail_lab, raw):
    mail_lab.store.deliver("alice", raw)
    announced, body = _pop3_list_and_retr(mail_lab, 1)  # LIST first: no fetch has corrected the size
    assert announced == len(body)


@pytest.mark.parametrize("raw", BARE_CR, ids=["before line end", "many"])
def test_bug9_imap_rfc822_size_matches_bytes_sent(mail_lab, raw):
    import imaplib

    mail_lab.store.deliver("alice", raw)
    c = imaplib.IMAP4(mail_lab.imap.host, mail_lab.imap.port, timeout=5)
    try:
        c.login("alice", PASSWORDS["alice"])
        c.select("INBOX", readonly=True)
        typ, data = c.fetch("1", "(RFC822.SIZE)")
        announced = int(data[0].split(b"RFC822.SIZE ")[1].rstrip(b")"))
        typ, data = c.fetch("1", "(BODY.PEEK[])")
        assert announced == len(data[0][1])
    finally:
        c.logout()


def _imap_raw(lab):
    import socket

    s = socket.create_connection((lab.imap.host, lab.imap.port), timeout=5)
    f = s.makefile("rb")
    assert f.readline().startswith(b"* OK")
    return s, f


def test_bug10_imap_big_literal_before_login_is_refused(mail_lab):
    s, f = _imap_raw(mail_lab)
    with s:
        s.sendall(b"a APPEND INBOX {20000000}\r\n")
        reply = f.readline()
        assert reply.startswith(b"a BAD") and b"before authentication" in reply and b"8,192" in reply
        s.sendall(b"b NOOP\r\n")  # the session goes on, in sync
        assert f.readline().startswith(b"b OK")
        s.sendall(b"c APPEND INBOX {20000000+}\r\n")  # LITERAL+: cannot resync, the server hangs up
        assert f.readline().startswith(b"* BYE")
    rows = mail_lab.imap.log.snapshot()
    assert any("APPEND" in str(r[2]) and r[3] == "BAD" for r in rows)


def test_bug10_login_with_a_literal_password_still_works(mail_lab):
    s, f = _imap_raw(mail_lab)
    pw = PASSWORDS["alice"].encode()
    with s:
        s.sendall(b"a LOGIN alice {%d}\r\n" % len(pw))
        assert f.readline().startswith(b"+")
        s.sendall(pw + b"\r\n")
        assert f.readline().startswith(b"a OK")
        msg = b"Subject: big after login\r\n\r\n" + b"x" * 100_000 + b"\r\n"
        s.sendall(b"b APPEND INBOX {%d}\r\n" % len(msg))  # after login the lab's max_literal applies
        assert f.readline().startswith(b"+")
        s.sendall(msg + b"\r\n")
        assert f.readline().startswith(b"b OK")


def test_fuzz_found_smtp_auth_answer_over_the_line_limit(tmp_path):
    """benchmarks/fuzz.py found it: AUTH LOGIN answered by a line longer than
    the stream limit was a session exception; now a 500 and the session goes on."""
    import socket
    import time

    import netbook as nb
    from netbook.mail.store import MailStore

    with nb.serve.smtp(MailStore(tmp_path), users={"alice": "pw"}, auth="optional", name="smtp-longauth") as srv:
        with socket.create_connection((srv.host, srv.port), timeout=5) as s:
            s.sendall(b"EHLO x\r\nAUTH LOGIN\r\n" + b"A" * 200_000 + b"\r\nNOOP\r\n")
            got, deadline = b"", time.monotonic() + 5
            while b"250 OK" not in got and time.monotonic() < deadline:
                got += s.recv(65536)
        assert b"500 5.5.6 AUTH line too long" in got and got.endswith(b"250 OK\r\n")
        assert not [r for r in srv.log.snapshot() if r[3] == "error"]


def test_fuzz_found_smtp_mail_from_open_bracket(tmp_path):
    """tests/test_fuzz.py found it: 'MAIL FROM:<' raised IndexError in the email parser."""
    import smtplib

    import netbook as nb
    from netbook.mail.store import MailStore

    with nb.serve.smtp(MailStore(tmp_path), name="smtp-bracket") as srv:
        with smtplib.SMTP(srv.host, srv.port, timeout=5) as c:
            c.ehlo()
            assert c.docmd("MAIL", "FROM:<")[0] == 553  # aiosmtpd: "553 5.1.3 Error: malformed address"
            assert c.docmd("NOOP")[0] == 250
        assert not [r for r in srv.log.snapshot() if r[3] == "error"]


def test_fuzz_found_smtp_non_utf8_command_is_echoed_escaped(tmp_path):
    """benchmarks/fuzz.py found it: 'VRFY (uz\\xe7' was echoed in the reply with
    a lone surrogate, which failed to encode and ended the session with an
    exception."""
    import socket

    import netbook as nb
    from netbook.mail.store import MailStore

    with nb.serve.smtp(MailStore(tmp_path), name="smtp-surrogate") as srv:
        with socket.create_connection((srv.host, srv.port), timeout=5) as s:
            f = s.makefile("rb")
            f.readline()
            s.sendall(b"EHLO x\r\n")
            while f.readline()[3:4] == b"-":
                pass
            s.sendall(b"VRFY (uz\xe7\r\nNOOP\r\n")
            first, second = f.readline(), f.readline()
        assert first[:1] in b"25" and b"\\udce7" in first and second.startswith(b"250"), (first, second)
        assert not [r for r in srv.log.snapshot() if r[3] == "error"]
