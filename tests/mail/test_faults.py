"""Issue 11 faults in the mail servers, with nothing lost and nothing
half-written: the store's disk full or read-only (a real small tmpfs), a
client killed in the middle of DATA or APPEND, and a restart on the same
MailStore(path)."""
import imaplib
import os
import poplib
import smtplib
import time

import pytest

import netbook as nb
from netbook.mail.store import MailStore
from tests.faults import files_under, killed_mid_transfer, read_only, small_fs

from .conftest import PASSWORDS

BIG = b"Subject: big\r\n\r\n" + (b"x" * 998 + b"\r\n") * 1000  # ~1 MB, more than the tmpfs holds


def _lab(path):
    return nb.lab("mail", users=PASSWORDS, store=MailStore(path), name="faults")


def _message_files(path):
    """Message files (also half-written ones in tmp/) under a store."""
    return [f for f in files_under(path) if f.split(os.sep)[-2] in ("tmp", "new", "cur")]


def test_smtp_disk_full_is_452_and_nothing_half_written(tmp_path):
    with small_fs(tmp_path / "fs", "256k") as fs:
        lab = _lab(fs)
        try:
            with smtplib.SMTP(lab.smtp.host, lab.smtp.port, timeout=10) as c:
                with pytest.raises(smtplib.SMTPDataError) as err:
                    c.sendmail("a@b.c", ["alice@netbook.lab", "bob@netbook.lab"], BIG)
                assert err.value.smtp_code == 452
                assert _message_files(fs) == []  # no part file, no copy for either recipient
                c.sendmail("a@b.c", ["alice@netbook.lab"], b"Subject: small\r\n\r\nfits\r\n")  # the session goes on
            row = [r for r in lab.smtp.log.snapshot() if r[3] == "452"][-1]
            assert "No space left on device" in row[6]
            assert len(lab.store.folder("alice", "INBOX")) == 1
        finally:
            lab.stop()


def test_smtp_read_only_store_is_451(tmp_path):
    with small_fs(tmp_path / "fs", "1m") as fs:
        lab = _lab(fs)
        try:
            read_only(fs)
            with smtplib.SMTP(lab.smtp.host, lab.smtp.port, timeout=10) as c:
                with pytest.raises(smtplib.SMTPDataError) as err:
                    c.sendmail("a@b.c", ["alice@netbook.lab"], b"Subject: s\r\n\r\nx\r\n")
                assert err.value.smtp_code == 451 and b"Read-only file system" in err.value.smtp_error
            assert "Read-only file system" in [r for r in lab.smtp.log.snapshot() if r[3] == "451"][-1][6]
        finally:
            lab.stop()


def _imap(lab):
    c = imaplib.IMAP4(lab.imap.host, lab.imap.port, timeout=10)
    c.login("alice", PASSWORDS["alice"])
    return c


def test_imap_append_disk_full_is_overquota_then_read_only_is_no(tmp_path):
    with small_fs(tmp_path / "fs", "256k") as fs:
        lab = _lab(fs)
        try:
            c = _imap(lab)
            typ, data = c.append("INBOX", None, None, BIG)
            assert typ == "NO" and data[0].startswith(b"[OVERQUOTA]")
            assert _message_files(fs) == []
            assert c.append("INBOX", None, None, b"Subject: small\r\n\r\nfits\r\n")[0] == "OK"
            read_only(fs)
            typ, data = c.append("INBOX", None, None, b"Subject: s\r\n\r\nx\r\n")
            assert typ == "NO" and b"Read-only file system" in data[0]
            c.logout()
            rows = lab.imap.log.snapshot()
            assert any(r[3] == "NO" and "No space left" in r[6] for r in rows)
            assert any(r[3] == "NO" and "Read-only" in r[6] for r in rows)
            assert len(lab.store.folder("alice", "INBOX")) == 1
        finally:
            lab.stop()


DATA_SCRIPT = """
import socket, sys, time
s = socket.create_connection(("127.0.0.1", {port}))
f = s.makefile("rb")
f.readline()
for line in (b"EHLO x", b"MAIL FROM:<a@b.c>", b"RCPT TO:<alice@netbook.lab>", b"DATA"):
    s.sendall(line + b"\\r\\n")
    while True:
        r = f.readline()
        if r[3:4] != b"-":
            break
s.sendall(b"Subject: half\\r\\n\\r\\n" + b"partial line\\r\\n" * 500)
print("ready", flush=True)
time.sleep(60)
"""

APPEND_SCRIPT = """
import socket, time
s = socket.create_connection(("127.0.0.1", {port}))
f = s.makefile("rb")
f.readline()
s.sendall(b"a LOGIN alice {password}\\r\\n")
f.readline()
s.sendall(b"b APPEND INBOX {{100000}}\\r\\n")
f.readline()
s.sendall(b"Subject: half\\r\\n\\r\\n" + b"y" * 5000)
print("ready", flush=True)
time.sleep(60)
"""


def test_client_killed_mid_data_and_mid_append_stores_nothing(tmp_path):
    lab = _lab(tmp_path / "store")
    try:
        killed_mid_transfer(DATA_SCRIPT.format(port=lab.smtp.port))
        killed_mid_transfer(APPEND_SCRIPT.format(port=lab.imap.port, password=PASSWORDS["alice"]))
        # the other sessions go on, and see nothing partial
        with smtplib.SMTP(lab.smtp.host, lab.smtp.port, timeout=10) as c:
            c.sendmail("a@b.c", ["alice@netbook.lab"], b"Subject: whole\r\n\r\ncomplete\r\n")
        c = _imap(lab)
        c.select("INBOX")
        typ, data = c.fetch("1:*", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        subjects = [d[1].strip() for d in data if isinstance(d, tuple)]
        assert subjects == [b"Subject: whole"]
        c.logout()
        files = _message_files(tmp_path / "store")
        assert len(files) == 1 and os.sep + "tmp" + os.sep not in os.sep + files[0]
        for srv in (lab.smtp, lab.imap):  # each killed session closed with a row, no server error
            assert not [r for r in srv.log.snapshot() if r[3] == "error"]
    finally:
        lab.stop()


def test_restart_on_the_same_store_keeps_uids_uidvalidity_flags_and_uidl(tmp_path):
    path = tmp_path / "store"

    def observe(lab):
        c = _imap(lab)
        c.select("INBOX")
        uidvalidity = c.response("UIDVALIDITY")[1][0]
        typ, data = c.uid("FETCH", "1:*", "(FLAGS)")
        c.logout()
        p = poplib.POP3(lab.pop3.host, lab.pop3.port, timeout=10)
        p.user("alice")
        p.pass_(PASSWORDS["alice"])
        uidl = p.uidl()[1]
        p.quit()
        return uidvalidity, sorted(data), uidl

    lab = _lab(path)
    try:
        for i in range(4):
            lab.store.deliver("alice", b"Subject: m%d\r\n\r\nbody\r\n" % i)
        c = _imap(lab)
        c.select("INBOX")
        c.uid("STORE", "1", "+FLAGS", r"(\Deleted)")
        c.expunge()  # UID 1 is gone: it must never come back for another message
        c.uid("STORE", "2", "+FLAGS", r"(\Flagged \Seen)")
        c.uid("STORE", "3", "+FLAGS", "(label-1 $Important)")
        c.logout()
        before = observe(lab)
    finally:
        lab.stop()
    time.sleep(1.1)  # a UIDVALIDITY taken from the clock would change now
    lab = _lab(path)  # a new MailStore object on the same folder, new servers
    try:
        after = observe(lab)
        lab.store.deliver("alice", b"Subject: m4\r\n\r\nbody\r\n")
        uids = [e.uid for e in lab.store.folder("alice", "INBOX").snapshot()]
    finally:
        lab.stop()
    assert after == before
    joined = b" ".join(before[1])
    assert b"UID 1 " not in joined and b"\\Flagged" in joined and b"label-1" in joined and b"$Important" in joined
    assert uids == [2, 3, 4, 5]


def test_a_read_only_store_without_its_uidlist_still_opens(tmp_path):
    with small_fs(tmp_path / "fs", "1m") as fs:
        st = MailStore(fs)
        st.deliver("alice", b"Subject: old\r\n\r\nfrom before uidlists\r\n")
        for f in files_under(fs):
            if f.endswith("netbook-uidlist"):
                os.remove(os.path.join(fs, f))
        read_only(fs)
        f = MailStore(fs).folder("alice", "INBOX")
        assert [e.uid for e in f.snapshot()] == [1] and b"from before" in f.raw(f.snapshot()[0])
