"""A fuzz harness for the line-protocol lab servers (issue 11), shared by
tests/test_fuzz.py (short, in `make test`) and benchmarks/fuzz.py (long).

Each protocol has a spec: how to start its server with data that the fuzzer
cannot reach (another user's mailbox, another user's FTP home, articles
posted before, a file), a login the fuzzer may prepend, seed command lines,
and a clean check.  One fuzz *session* is a connection that sends a batch of
mutated and random lines, half-closes, and reads until the server closes.
Properties checked for every session and at the end:

- the server answers within a bound and closes on EOF (no hang);
- its replies are well framed (CRLF lines, greeting first, status lines of
  the protocol's syntax) and never carry a traceback or "internal error";
- the server's log has no ``error`` row (a handler crashed);
- afterwards a clean session with the standard-library client works and
  sees the protected data intact; no thread is left behind.
"""
from __future__ import annotations

import hashlib
import os
import random
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

PASSWORD = "fuzz-pw"
OTHER = "keeper"  # the user whose data must stay intact; the fuzzer never logs in as them
OTHER_PW = "k33per-S3cret"

INTERESTING = [b"", b"\x00", b"\xff", b"\r", b"\n", b" ", b"\t", b"{5}", b"{99999999}", b"{3+}", b"%s", b"%n",
               b"..", b"../../etc/passwd", b"*", b"\"", b"(", b")", b"[", b"<", b">", b"\\", b"\x1b[2J",
               b"\xff\xfb\x01", b"\xff\xfa\x18\x00", b"\xff\xf0", b"A" * 600, b"9" * 30, b"-1", b"0", b"1:*",
               "é".encode(), b"\xc3\x28", b"=?utf-8?b?AA==?="]


def mutate(rng: random.Random, line: bytes) -> bytes:
    """One mutation of ``line`` (byte flips, inserts, cuts, repeats, junk)."""
    kind = rng.randrange(9)
    b = bytearray(line)
    if kind == 0 and b:
        for _ in range(rng.randint(1, 3)):
            b[rng.randrange(len(b))] = rng.randrange(256)
    elif kind == 1:
        pos = rng.randint(0, len(b))
        b[pos:pos] = rng.choice(INTERESTING)
    elif kind == 2 and b:
        b = b[: rng.randrange(len(b))]
    elif kind == 3:
        b += b" " + rng.choice(INTERESTING) * rng.randint(1, 4)
    elif kind == 4:
        b = bytearray(b.swapcase())
    elif kind == 5:
        b = bytearray(os.urandom(rng.randint(0, 64)) if rng.random() < 0.5 else rng.randbytes(rng.randint(0, 64)))
    elif kind == 6:
        b = b * rng.randint(2, 40)
    elif kind == 7:
        b = bytearray(b.replace(b" ", rng.choice([b"  ", b"\t", b"", b" \x00 "]), 1))
    else:
        b += rng.choice(INTERESTING)
    return bytes(b[:20000])


def session_lines(rng: random.Random, spec: "Spec", n: int) -> list[bytes]:
    """A batch: maybe the login, then ``n`` seeds, mutated seeds and junk."""
    lines = list(spec.login) if spec.login and rng.random() < 0.8 else []
    for _ in range(n):
        r = rng.random()
        seed = rng.choice(spec.seeds)
        lines.append(seed if r < 0.35 else mutate(rng, seed) if r < 0.9 else rng.randbytes(rng.randint(0, 80)))
    return lines


@dataclass
class Spec:
    name: str
    start: Callable  # (tmp_path) -> (server, clean_check)
    seeds: list[bytes]
    login: list[bytes] = field(default_factory=list)
    status: re.Pattern | None = None  # every server line matches (None: not a line protocol)
    framed: bool = True  # CRLF lines
    literals: bool = False  # IMAP {n} literals inside replies


# -- servers and their clean checks ----------------------------------------------------
def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _mail_store(tmp_path):
    from netbook.mail.store import MailStore

    store = MailStore(tmp_path / "mail")
    keep = [b"Subject: keep %d\r\nFrom: k@netbook.lab\r\n\r\nprecious line %d\r\n" % (i, i) for i in range(3)]
    for m in keep:
        store.deliver(OTHER, m)
    store.maildir("fuzz")
    return store, sorted(_digest(m) for m in keep)


def _start_smtp(tmp_path):
    import smtplib

    import netbook as nb

    store, keep = _mail_store(tmp_path)
    srv = nb.serve.smtp(store, users={"fuzz": PASSWORD, OTHER: OTHER_PW}, auth="optional", name="fuzz-smtp")

    def clean():
        with smtplib.SMTP(srv.host, srv.port, timeout=10) as c:
            c.sendmail("a@b.c", [f"{OTHER}@netbook.lab"], b"Subject: after\r\n\r\nafter the fuzz\r\n")
        f = store.folder(OTHER, "INBOX")
        got = [_digest(f.wire(e)) for e in f.snapshot()]
        assert len(got) == 4, got
        # the three kept messages, plus the new one: Received/Return-Path lines added by SMTP
        assert sorted(got[:3]) == keep

    return srv, clean


def _start_pop3(tmp_path):
    import poplib

    import netbook as nb

    store, keep = _mail_store(tmp_path)
    srv = nb.serve.pop3(store, users={"fuzz": PASSWORD, OTHER: OTHER_PW}, name="fuzz-pop3")

    def clean():
        p = poplib.POP3(srv.host, srv.port, timeout=10)
        p.user(OTHER)
        p.pass_(OTHER_PW)
        got = sorted(_digest(b"\r\n".join(p.retr(i)[1]) + b"\r\n") for i in (1, 2, 3))
        assert p.stat()[0] == 3 and got == keep
        p.quit()

    return srv, clean


def _start_imap(tmp_path):
    import imaplib

    import netbook as nb

    store, keep = _mail_store(tmp_path)
    srv = nb.serve.imap(store, users={"fuzz": PASSWORD, OTHER: OTHER_PW}, name="fuzz-imap", max_literal=1 << 20)

    def clean():
        c = imaplib.IMAP4(srv.host, srv.port, timeout=10)
        c.login(OTHER, OTHER_PW)
        typ, data = c.select("INBOX", readonly=True)
        assert data == [b"3"]
        typ, data = c.fetch("1:3", "(BODY.PEEK[])")
        assert sorted(_digest(d[1]) for d in data if isinstance(d, tuple)) == keep
        c.logout()

    return srv, clean


def _start_nntp(tmp_path):
    import warnings

    import netbook as nb

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import nntplib

    srv = nb.serve.nntp(groups={"lab.general": "general", "lab.keep": "kept"}, name="fuzz-nntp")
    kept = [srv.post(f"keep {i}", f"precious {i}\n", "lab.keep", message_id=f"<keep{i}@netbook.lab>") for i in range(3)]
    keep = sorted(_digest(a.raw) for a in kept)

    def clean():
        c = nntplib.NNTP(srv.host, srv.port, timeout=10)
        got = []
        for i in range(3):
            _, info = c.article(f"<keep{i}@netbook.lab>")
            got.append(_digest(b"\r\n".join(info.lines) + b"\r\n"))
        c.quit()
        assert sorted(got) == keep

    return srv, clean


def _start_ftp(tmp_path):
    import ftplib
    import io

    import netbook as nb

    os.makedirs(tmp_path / "ftp", exist_ok=True)
    srv = nb.serve.ftp(tmp_path / "ftp", users={"fuzz": PASSWORD, OTHER: OTHER_PW}, anonymous=False, name="fuzz-ftp")
    data = os.urandom(5000)
    with open(os.path.join(srv.home(OTHER), "keep.bin"), "wb") as f:
        f.write(data)
    with open(os.path.join(srv.home("fuzz"), "hello.txt"), "wb") as f:
        f.write(b"hello\n")

    def clean():
        c = ftplib.FTP()
        c.connect(srv.host, srv.port, timeout=10)
        c.login(OTHER, OTHER_PW)
        out = io.BytesIO()
        c.retrbinary("RETR keep.bin", out.write)
        c.quit()
        assert out.getvalue() == data

    return srv, clean


def _start_telnet(tmp_path):
    import netbook as nb

    srv = nb.serve.telnet("echo", name="fuzz-telnet", negotiation_wait=0.05, idle_timeout=10)

    def clean():
        with socket.create_connection((srv.host, srv.port), timeout=10) as s:
            s.sendall(b"hello after the fuzz\r\n")
            got, deadline = b"", time.monotonic() + 5
            while b"hello after the fuzz" not in got and time.monotonic() < deadline:
                chunk = s.recv(4096)
                if not chunk:
                    break
                got += chunk
            assert b"hello after the fuzz" in got, got[-200:]

    return srv, clean


def _start_http(tmp_path):
    import http.client

    import netbook as nb

    root = tmp_path / "site"
    os.makedirs(root / "sub", exist_ok=True)
    data = os.urandom(3000)
    (root / "keep.bin").write_bytes(data)
    (root / "index.txt").write_text("index\n")
    srv = nb.serve.http(root, name="fuzz-http")

    def clean():
        c = http.client.HTTPConnection(srv.host, srv.port, timeout=10)
        c.request("GET", "/keep.bin")
        r = c.getresponse()
        assert r.status == 200 and r.read() == data
        c.close()

    return srv, clean


_HTTP_SEEDS = [b"GET / HTTP/1.1", b"Host: x", b"", b"GET /keep.bin HTTP/1.1", b"HEAD /sub HTTP/1.0",
               b"GET /../../etc/passwd HTTP/1.1", b"Range: bytes=0-10", b"Range: bytes=-5", b"If-Range: x",
               b"Connection: keep-alive", b"Transfer-Encoding: chunked", b"Content-Length: 5", b"5", b"hello",
               b"0", b"POST / HTTP/1.1", b"OPTIONS * HTTP/1.1", b"GET http://x/keep.bin HTTP/1.1",
               b"If-Modified-Since: Mon, 01 Jan 2024 00:00:00 GMT", b"Expect: 100-continue", b"GET /%2e%2e/ HTTP/1.1"]

SPECS = {
    "smtp": Spec("smtp", _start_smtp, [
        b"EHLO fuzz", b"HELO fuzz", b"MAIL FROM:<a@b.c>", b"MAIL FROM:<a@b.c> SIZE=100 BODY=8BITMIME",
        b"RCPT TO:<fuzz@netbook.lab>", b"RCPT TO:<keeper@netbook.lab>", b"DATA", b"Subject: fuzz", b"", b"body",
        b".", b"..dot", b"RSET", b"NOOP", b"VRFY fuzz", b"EXPN x", b"HELP", b"AUTH PLAIN AGZ1enoAZnV6ei1wdw==",
        b"AUTH LOGIN", b"ZnV6eg==", b"AUTH CRAM-MD5", b"STARTTLS", b"BDAT 5 LAST", b"XCLIENT ADDR=1.2.3.4"],
        status=re.compile(rb"^\d{3}([ -].*)?$", re.S)),
    "pop3": Spec("pop3", _start_pop3, [
        b"STAT", b"LIST", b"LIST 1", b"LIST 99", b"UIDL", b"UIDL 1", b"RETR 1", b"TOP 1 0", b"TOP 1 99999",
        b"DELE 1", b"RSET", b"NOOP", b"CAPA", b"APOP fuzz 0123456789abcdef0123456789abcdef", b"USER keeper",
        b"PASS wrong", b"AUTH PLAIN", b"STLS", b"RETR -1", b"TOP x y"],
        login=[b"USER fuzz", b"PASS " + PASSWORD.encode()]),
    "imap": Spec("imap", _start_imap, [
        b"a CAPABILITY", b"a NOOP", b"a SELECT INBOX", b"a EXAMINE INBOX", b"a FETCH 1:* (FLAGS UID RFC822.SIZE)",
        b"a UID FETCH 1:* (BODY.PEEK[HEADER.FIELDS (SUBJECT)])", b"a FETCH 1 BODY[]", b"a FETCH 1 (BODY[1]<0.10>)",
        b"a STORE 1 +FLAGS (\\Seen)", b"a STORE 1 +FLAGS (\\Deleted)", b"a SEARCH ALL", b"a SEARCH SUBJECT x",
        b"a UID SEARCH 1:*", b"a LIST \"\" *", b"a LSUB \"\" *", b"a STATUS INBOX (MESSAGES UIDNEXT)",
        b"a APPEND INBOX {5}", b"hello", b"a APPEND INBOX (\\Seen) {3+}", b"abc", b"a CREATE box",
        b"a RENAME box box2", b"a DELETE box2", b"a COPY 1 INBOX", b"a MOVE 1 INBOX", b"a EXPUNGE", b"a CLOSE",
        b"a UNSELECT", b"a IDLE", b"DONE", b"a NAMESPACE", b"a SELECT \"&AOk-t&AOk-\"", b"a LOGIN keeper wrong",
        b"a AUTHENTICATE PLAIN", b"a STARTTLS", b"a CHECK", b"a SUBSCRIBE INBOX"],
        login=[b"l LOGIN fuzz " + PASSWORD.encode()], literals=True,
        status=re.compile(rb"^(\* |\+|[!-~]+ (OK|NO|BAD)( |$)).*$", re.S)),
    "nntp": Spec("nntp", _start_nntp, [
        b"CAPABILITIES", b"MODE READER", b"GROUP lab.general", b"GROUP lab.keep", b"LISTGROUP lab.keep",
        b"ARTICLE 1", b"HEAD 1", b"BODY 1", b"STAT 1", b"NEXT", b"LAST", b"OVER 1-", b"XOVER 1-2",
        b"HDR Subject 1-", b"XHDR Subject 1-", b"LIST", b"LIST NEWSGROUPS", b"LIST OVERVIEW.FMT",
        b"NEWGROUPS 20200101 000000", b"NEWNEWS * 20200101 000000 GMT", b"DATE", b"HELP", b"POST",
        b"From: f@x", b"Newsgroups: lab.general", b"Subject: fuzz", b"", b"fuzz body", b".",
        b"ARTICLE <keep0@netbook.lab>", b"AUTHINFO USER x", b"AUTHINFO PASS y", b"IHAVE <x@y>"],
        status=None),
    "ftp": Spec("ftp", _start_ftp, [
        b"SYST", b"FEAT", b"PWD", b"CWD /", b"CWD ..", b"CDUP", b"TYPE I", b"TYPE A", b"MODE S", b"STRU F",
        b"PASV", b"EPSV", b"LIST", b"NLST", b"MLSD", b"MLST hello.txt", b"SIZE hello.txt", b"MDTM hello.txt",
        b"MKD d", b"RMD d", b"DELE nothing", b"RNFR hello.txt", b"RNTO hello2.txt", b"REST 3", b"STAT",
        b"NOOP", b"HELP", b"OPTS UTF8 ON", b"PORT 127,0,0,1,0,1", b"EPRT |1|127.0.0.1|1|", b"ABOR",
        b"STOR up.txt", b"RETR hello.txt", b"CWD /../keeper", b"SITE CHMOD 777 hello.txt", b"ALLO 10",
        b"USER keeper", b"PASS wrong", b"AUTH TLS", b"PBSZ 0", b"PROT P"],
        login=[b"USER fuzz", b"PASS " + PASSWORD.encode()],
        status=re.compile(rb"^(\d{3}([ -].*)?| .*)$", re.S)),
    "telnet": Spec("telnet", _start_telnet, [
        b"hello", b"\xff\xfd\x01", b"\xff\xfb\x1f", b"\xff\xfa\x1f\x00\x50\x00\x18\xff\xf0",
        b"\xff\xfa\x18\x00VT100\xff\xf0", b"\xff\xf4", b"\xff\xf3", b"\xff\xff", b"\x03", b"\x04", b"\x1b[A",
        b"\xff\xfa" + b"x" * 300, b"quit", b"help", b"\xff\xfe\x22", b"\xff\xfb\x22"],
        framed=False),
    "http": Spec("http", _start_http, _HTTP_SEEDS, framed=False),
}


# -- one session ----------------------------------------------------------------------
class FuzzFailure(AssertionError):
    pass


def _strip_literals(data: bytes) -> bytes:
    """IMAP output with each ``{n}CRLF`` + n bytes literal cut to ``{n}``
    (the response line goes on after a literal)."""
    out, i = bytearray(), 0
    for m in re.finditer(rb"\{(\d+)\}\r\n", data):
        if m.start() < i:
            continue
        out += data[i:m.start()] + b"{" + m.group(1) + b"}"
        i = m.end() + int(m.group(1))
    out += data[i:]
    return bytes(out)


def check_reply(spec: Spec, data: bytes, sent: list[bytes]) -> None:
    where = f"{spec.name} after {[s[:60] for s in sent][:12]!r}"
    low = data.lower()
    for bad in (b"traceback (most recent call last)", b"internal error"):
        if bad in low:
            raise FuzzFailure(f"{where}: the reply holds {bad.decode()!r}: {data[max(0, low.find(bad) - 200):][:400]!r}")
    if spec.name == "http":
        if data and not data.startswith(b"HTTP/1."):
            raise FuzzFailure(f"{where}: not an HTTP response: {data[:200]!r}")
        return
    if not spec.framed or not data:
        return
    text = _strip_literals(data) if spec.literals else data
    if not text.endswith(b"\r\n") and len(text) < 1 << 20:
        raise FuzzFailure(f"{where}: the reply does not end with CRLF: {text[-200:]!r}")
    lines = text.split(b"\r\n")[:-1]
    for ln in lines:
        if b"\n" in ln or b"\r" in ln:
            raise FuzzFailure(f"{where}: a bare CR/LF in a reply line: {ln[:200]!r}")
    if spec.status is not None:
        for ln in lines:
            if not spec.status.match(ln):
                raise FuzzFailure(f"{where}: a reply line out of the protocol's syntax: {ln[:200]!r}")


def fuzz_session(spec: Spec, srv, lines: list[bytes], timeout: float = 15.0) -> bytes:
    """Send ``lines`` (CRLF-terminated), half-close, read until the server closes."""
    with socket.create_connection((srv.host, srv.port), timeout=timeout) as s:
        try:
            s.sendall(b"".join(ln + b"\r\n" for ln in lines))
            s.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server hung up first (a refusal that closes): fine
        chunks, total, deadline = [], 0, time.monotonic() + timeout
        while True:
            if time.monotonic() > deadline:
                raise FuzzFailure(f"{spec.name}: the server did not close within {timeout:g} s of EOF "
                                  f"after {[ln[:60] for ln in lines][:12]!r}")
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                break
            except (TimeoutError, socket.timeout):
                raise FuzzFailure(f"{spec.name}: no answer within {timeout:g} s after {[ln[:60] for ln in lines][:12]!r}") from None
            if not chunk:
                break
            total += len(chunk)
            if total < 4 << 20:
                chunks.append(chunk)
    return b"".join(chunks)


def run(spec: Spec, tmp_path, sessions: int, lines_per_session: int = 15, seed: int = 0, deadline: float | None = None) -> dict:
    """Fuzz one server: ``sessions`` sessions (or until ``deadline``, a
    monotonic time); then the clean check and the thread check.  Returns
    counts; raises FuzzFailure on the first broken property."""
    rng = random.Random(f"{spec.name}-{seed}")
    threads_before = threading.active_count()
    srv, clean = spec.start(tmp_path)
    n_lines = done = 0
    try:
        for _ in range(sessions):
            if deadline is not None and time.monotonic() > deadline:
                break
            lines = session_lines(rng, spec, lines_per_session)
            data = fuzz_session(spec, srv, lines)
            check_reply(spec, data, lines)
            n_lines += len(lines)
            done += 1
        errors = [r for r in srv.log.snapshot() if r[3] == "error"]
        if errors:
            raise FuzzFailure(f"{spec.name}: a handler crashed: {errors[0][2][:80]!r} -> {errors[0][6]}")
        clean()
    finally:
        srv.stop()
    for _ in range(250):  # connection threads end shortly after their sockets close
        if threading.active_count() <= threads_before:
            break
        time.sleep(0.02)
    else:
        left = [t.name for t in threading.enumerate()][-8:]
        raise FuzzFailure(f"{spec.name}: {threading.active_count() - threads_before} threads left behind: {left}")
    return {"protocol": spec.name, "sessions": done, "lines": n_lines}
