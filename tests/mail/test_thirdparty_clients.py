"""Third-party mail clients as peers of the lab servers (issue 11): each test
names the client and what it checks.  Every message must be stored (or
fetched) byte-exact."""
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
