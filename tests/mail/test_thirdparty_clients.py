"""Third-party mail clients as peers of the lab servers (issue 11): each test
names the client and what it checks.  Every message must be stored (or
fetched) byte-exact."""
import os
import re
import subprocess

import pytest

import netbook as nb
from netbook.mail.store import MailStore
from tests.peers import require

from .conftest import PASSWORDS

DOTS = (b"From: a@netbook.lab\r\nTo: alice@netbook.lab\r\nSubject: dots\r\n\r\n"
        b"line\r\n.\r\n..two dots\r\n.leading dot\r\n . space dot\r\nlast line")
EIGHTBIT = ("From: a@netbook.lab\r\nTo: alice@netbook.lab\r\nSubject: 8bit\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
            "caf\u00e9, na\u00efve, \u65e5\u672c\u8a9e, \u00ff\u00fe").encode()


@pytest.fixture
def smtp_lab(tmp_path):
    store = MailStore(tmp_path / "mail")
    srv = nb.serve.smtp(store, users=PASSWORDS, auth="optional", starttls=True, max_size=32 << 20, name="swaks-smtp")
    yield srv, store
    srv.stop()


def _swaks(srv, data_file, *extra):
    exe = require("swaks")
    r = subprocess.run([exe, "--server", f"127.0.0.1:{srv.port}", "--from", "a@netbook.lab", "--to",
                        "alice@netbook.lab", "--data", f"@{data_file}", "--timeout", "60", *extra],
                       capture_output=True, text=True, timeout=180, check=False)
    assert r.returncode == 0, (r.stdout[-2000:], r.stderr[-1000:])
    return r.stdout


def _stored(store):
    f = store.folder("alice", "INBOX")
    return [f.wire(e) for e in f.snapshot()]


# swaks ends the data with its own CRLF before the "." line, so the files below
# have no final line end: what the server must store is the file plus CRLF.
@pytest.mark.parametrize("auth", ["PLAIN", "LOGIN"])
def test_swaks_auth_starttls_pipelining_dot_stuffing(smtp_lab, tmp_path, auth):
    srv, store = smtp_lab
    data = tmp_path / "dots.eml"
    data.write_bytes(DOTS)
    out = _swaks(srv, data, "--auth", auth, "--auth-user", "alice", "--auth-password", PASSWORDS["alice"],
                 "--tls", "--pipeline")
    assert "TLS started" in out and "235 " in out and "PIPELINING" in out
    assert "\n ~> ..\n" in out  # swaks dot-stuffed the lone "." line; the server must un-stuff it
    (stored,) = _stored(store)
    assert stored.endswith(b"\r\n\r\n" + DOTS.split(b"\r\n\r\n", 1)[1] + b"\r\n")
    assert stored.split(b"\r\n\r\n", 1)[1] == DOTS.split(b"\r\n\r\n", 1)[1] + b"\r\n"
    assert PASSWORDS["alice"] not in "".join(str(r) for r in srv.log.snapshot())


def test_swaks_8bitmime_body(smtp_lab, tmp_path):
    srv, store = smtp_lab
    data = tmp_path / "8bit.eml"
    data.write_bytes(EIGHTBIT)
    # the server announces 8BITMIME; swaks sends the raw 8-bit body, which must pass unchanged
    out = _swaks(srv, data, "--pipeline")
    assert "250-8BITMIME" in out
    (stored,) = _stored(store)
    assert stored.endswith(EIGHTBIT + b"\r\n")


def test_swaks_20_mb_message(smtp_lab, tmp_path):
    srv, store = smtp_lab
    line = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghijklmnopq\r\n"
    body = line * (20_000_000 // len(line))
    data = tmp_path / "big.eml"
    data.write_bytes(b"From: a@netbook.lab\r\nTo: alice@netbook.lab\r\nSubject: 20 MB\r\n\r\n" + body + b"end")
    _swaks(srv, data, "--pipeline", "--silent", "2")
    (stored,) = _stored(store)
    assert len(stored) > 20_000_000 and stored.endswith(body + b"end\r\n")


# -- mbsync (isync): a folder synchronised both ways, flags included -----------------
MBSYNCRC = """IMAPAccount lab
Host 127.0.0.1
Port {port}
User alice
Pass {password}
SSLType None
AuthMechs LOGIN

IMAPStore remote
Account lab

MaildirStore near
Path {local}/
Inbox {local}/INBOX

Channel ch
Far :remote:
Near :near:
Patterns INBOX
Create Both
Sync All
Expunge None
SyncState *
"""


def _local_messages(inbox):
    """subject -> (flags from the Maildir name, bytes) for every local message."""
    out = {}
    for sub in ("new", "cur"):
        for name in os.listdir(inbox / sub):
            # mbsync writes its own tracking header (X-TUID) into the copies it makes
            data = re.sub(rb"(?m)^X-TUID: [^\n]*\n", b"", (inbox / sub / name).read_bytes())
            subject = [ln for ln in data.split(b"\n") if ln.startswith(b"Subject: ")][0][9:].strip()
            assert subject not in out, f"duplicated: {subject}"
            out[subject] = (name.rsplit(":2,", 1)[1] if ":2," in name else "", data)
    return out


def test_mbsync_two_way_sync_with_flags(tmp_path):
    import imaplib

    exe = require("mbsync")
    store = MailStore(tmp_path / "store")
    sent = {}
    for i in range(5):
        raw = b"Subject: far %d\r\nFrom: x@netbook.lab\r\n\r\nbody %d\r\n.dot line\r\ncaf\xc3\xa9\r\n" % (i, i)
        store.deliver("alice", raw)
        sent[b"far %d" % i] = raw
    srv = nb.serve.imap(store, users=PASSWORDS, name="mbsync-imap")
    local = tmp_path / "local"
    local.mkdir()
    conf = tmp_path / "mbsyncrc"
    conf.write_text(MBSYNCRC.format(port=srv.port, password=PASSWORDS["alice"], local=local))

    def sync():
        r = subprocess.run([exe, "-c", str(conf), "-a", "-q"], capture_output=True, text=True, timeout=120, check=False)
        assert r.returncode == 0, (r.stdout[-2000:], r.stderr[-2000:])

    def remote():
        f = store.folder("alice", "INBOX")
        return {[ln for ln in f.raw(e).split(b"\n") if ln.startswith(b"Subject: ")][0][9:].strip(): (e.flags, f.wire(e))
                for e in f.snapshot()}

    try:
        sync()
        inbox = local / "INBOX"
        mine = _local_messages(inbox)
        assert set(mine) == set(sent)
        for subject, (_, data) in mine.items():  # byte-exact (Maildir keeps LF line ends)
            assert data.replace(b"\n", b"\r\n") == sent[subject]
        # near side: flag "far 0" seen+flagged, add a message; far side: answer "far 1", add a message
        name = next(n for n in os.listdir(inbox / "new") if b"Subject: far 0\n" in (inbox / "new" / n).read_bytes())
        os.rename(inbox / "new" / name, inbox / "cur" / (name.rsplit(":2,", 1)[0] + ":2,FS"))
        near_new = b"Subject: near 0\nFrom: me@netbook.lab\n\nwritten locally\n..two dots\n"
        (inbox / "new" / "1700000000.local.host").write_bytes(near_new)
        c = imaplib.IMAP4(srv.host, srv.port, timeout=10)
        c.login("alice", PASSWORDS["alice"])
        c.select("INBOX")
        c.store("2", "+FLAGS", r"(\Answered)")
        c.logout()
        store.deliver("alice", b"Subject: far 5\r\n\r\nlate arrival\r\n")
        sync()
        sync()  # a second run changes nothing: no duplicates either side
        mine, far = _local_messages(inbox), remote()
        assert set(mine) == set(far) and len(far) == 7
        assert {"\\Seen", "\\Flagged"} <= far[b"far 0"][0]
        assert "R" in mine[b"far 1"][0]
        # uploaded byte-exact, but for mbsync's own X-TUID line (it writes one into what it APPENDs)
        assert re.sub(rb"(?m)^X-TUID: [^\r]*\r\n", b"", far[b"near 0"][1]) == near_new.replace(b"\n", b"\r\n")
        assert mine[b"far 5"][1] == b"Subject: far 5\n\nlate arrival\n"
    finally:
        srv.stop()


# -- fetchmail: all of a mailbox, over POP3 and over IMAP ---------------------------
@pytest.mark.parametrize("proto", ["POP3", "IMAP"])
def test_fetchmail_retrieves_a_whole_mailbox(tmp_path, proto):
    exe = require("fetchmail")
    store = MailStore(tmp_path / "store")
    sent = []
    for i in range(30):
        raw = (b"Subject: n%02d\r\nFrom: x@netbook.lab\r\nMessage-ID: <n%02d@netbook.lab>\r\n\r\n" % (i, i)
               + b"line\r\n.\r\n..dots\r\n" + (b"caf\xc3\xa9 " * i) + b"\r\n" + (b"z" * 997 + b"\r\n") * i)
        store.deliver("alice", raw)
        sent.append(raw)
    srv = (nb.serve.pop3 if proto == "POP3" else nb.serve.imap)(store, users=PASSWORDS, name=f"fetchmail-{proto}")
    out = tmp_path / "out"
    out.mkdir()
    rc = tmp_path / "fetchmailrc"
    rc.write_text(f'set no syslog\npoll 127.0.0.1 with proto {proto} port {srv.port} and options no dns\n'
                  f'  user "alice" there with password "{PASSWORDS["alice"]}" is "alice" here options keep fetchall sslproto ""\n'
                  f'  mda "cat > $(mktemp {out}/m.XXXXXX)"\n')
    rc.chmod(0o600)
    try:
        r = subprocess.run([exe, "-f", str(rc), "-N", "--nosyslog", "-v", "--idfile", str(tmp_path / "ids")],
                           capture_output=True, text=True, timeout=180, env={**os.environ, "HOME": str(tmp_path)},
                           check=False)
        assert r.returncode == 0, (r.stdout[-3000:] + r.stderr[-3000:]).replace("\n", " | ")
    finally:
        srv.stop()
    got = []
    for name in sorted(os.listdir(out)):
        data = (out / name).read_bytes()
        # fetchmail writes one Received: header (with continuation lines) on top of each message
        assert data.startswith(b"Received: ")
        lines = data.split(b"\n")
        i = 1
        while lines[i][:1] in (b" ", b"\t"):
            i += 1
        got.append(b"\n".join(lines[i:]).replace(b"\n", b"\r\n"))
    assert len(got) == len(sent)  # counts equal, nothing duplicated
    for a, b in zip(sorted(got), sorted(sent)):  # byte-exact
        assert a == b, next((i, a[i - 40:i + 40], b[i - 40:i + 40]) for i in range(min(len(a), len(b)) + 1) if a[i:i + 1] != b[i:i + 1])
    assert len(store.folder("alice", "INBOX")) == 30  # "keep": nothing deleted on the server
