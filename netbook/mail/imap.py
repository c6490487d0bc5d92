"""``nb.mail.IMAP(url)``: an IMAP account (imaplib) as folders and tables.

``imap://user@host:port/INBOX`` (``imaps://`` for TLS, ``starttls=True``).
Folders with counts, a search builder (:class:`Q`), headers fetched in
batches into a DataFrame, full messages, flags, copy/move, expunge, append,
IDLE.  Folders are opened read-only (EXAMINE) and bodies fetched with
BODY.PEEK, so reading never marks mail seen unless asked
(``select(folder, readonly=False)`` / ``mark_seen``).

Folder names are Unicode here (``"Entwürfe"``, ``"日本語"``) and modified
UTF-7 on the wire (RFC 3501 5.1.3: ``Entw&APw-rfe``), encoded and decoded
by :mod:`netbook.mail.utf7`.
"""
from __future__ import annotations

import datetime as _dt
import imaplib
import re
import select
import socket
import ssl
import time

from ..connection import Closing, Traced
from ..errors import NetworkError
from ..interpolate import check_line
from ..tls import tls_context
from ..transcript import Transcript
from .message import MailError, MailMessage, quick_headers
from .urls import parse_url
from .utf7 import MailboxNameError, decode_mailbox, encode_mailbox

__all__ = ["IMAP", "Q"]

HEADER_FIELDS = "FROM TO CC SUBJECT DATE MESSAGE-ID"
COLUMNS = ["uid", "flags", "date", "from", "to", "subject", "size", "attachments"]


class _TracedIMAP(Traced, imaplib.IMAP4):
    pass


class _TracedIMAPS(Traced, imaplib.IMAP4_SSL):
    pass


# ---------------------------------------------------------------------------
# the search builder
# ---------------------------------------------------------------------------

_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _quote(value) -> str:
    s = str(value)
    check_line(s, "search text")
    if not s.isascii():
        raise MailError(f"search text {s!r} is not ASCII; IMAP SEARCH here takes ASCII text")
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _date(value) -> str:
    if isinstance(value, str):
        import pandas as pd

        value = pd.Timestamp(value).date()
    if isinstance(value, _dt.datetime):
        value = value.date()
    return f"{value.day}-{_MONTHS[value.month - 1]}-{value.year}"


class Q:
    """An IMAP search, composable with ``&``, ``|`` and ``~``::

        Q(from_="bob", since="2026-03-01") | ~Q(seen=True)
        Q(subject="report", larger=10_000)

    Keywords: ``from_ to cc bcc subject body text`` (substring), ``header=(name,
    text)``, ``since before on`` / ``sent_since sent_before`` (dates),
    ``seen flagged answered deleted draft`` (True/False), ``keyword``,
    ``larger smaller`` (bytes), ``uid`` ("1:10"), ``recent`` (True: RECENT,
    False: OLD) and ``new`` (True: NEW, recent and unseen).
    """

    _TEXT = {"from_": "FROM", "to": "TO", "cc": "CC", "bcc": "BCC", "subject": "SUBJECT", "body": "BODY", "text": "TEXT"}
    _DATES = {"since": "SINCE", "before": "BEFORE", "on": "ON", "sent_since": "SENTSINCE", "sent_before": "SENTBEFORE", "sent_on": "SENTON"}
    _FLAGS = {"seen": "SEEN", "flagged": "FLAGGED", "answered": "ANSWERED", "deleted": "DELETED", "draft": "DRAFT"}

    def __init__(self, raw: str | None = None, **kw):
        parts = []
        if raw:
            check_line(raw, "search")
            parts.append(raw)
        for k, v in kw.items():
            if v is None:
                continue
            if k in self._TEXT:
                parts.append(f"{self._TEXT[k]} {_quote(v)}")
            elif k in self._DATES:
                parts.append(f"{self._DATES[k]} {_date(v)}")
            elif k in self._FLAGS:
                parts.append(self._FLAGS[k] if v else "UN" + self._FLAGS[k])
            elif k == "unseen":
                parts.append("UNSEEN" if v else "SEEN")
            elif k == "recent":
                parts.append("RECENT" if v else "OLD")
            elif k == "new":
                parts.append("NEW" if v else "NOT NEW")
            elif k in ("larger", "smaller"):
                parts.append(f"{k.upper()} {int(v)}")
            elif k == "uid":
                if not re.fullmatch(r"[\d*:,]+", str(v)):
                    raise MailError(f"bad UID set {v!r}")
                parts.append(f"UID {v}")
            elif k == "keyword":
                if not re.fullmatch(r"[\w$-]+", str(v)):
                    raise MailError(f"bad keyword {v!r}")
                parts.append(f"KEYWORD {v}")
            elif k == "header":
                name, text = v
                if not re.fullmatch(r"[\w-]+", name):
                    raise MailError(f"bad header name {name!r}")
                parts.append(f"HEADER {name} {_quote(text)}")
            else:
                raise TypeError(f"Q() got an unknown keyword {k!r}")
        self.criteria = " ".join(parts) or "ALL"

    def __and__(self, other):
        return Q(f"{self} {Q._of(other)}")

    def __or__(self, other):
        return Q(f"OR ({self}) ({Q._of(other)})")

    def __invert__(self):
        return Q(f"NOT ({self})")

    @staticmethod
    def _of(x):
        return x if isinstance(x, Q) else Q(str(x))

    def __str__(self):
        return self.criteria

    def __repr__(self):
        return f"Q({self.criteria!r})"


def uid_ranges(uids) -> str:
    """``[1,2,3,7]`` -> ``"1:3,7"``."""
    uids = sorted(set(int(u) for u in uids))
    out, i = [], 0
    while i < len(uids):
        j = i
        while j + 1 < len(uids) and uids[j + 1] == uids[j] + 1:
            j += 1
        out.append(str(uids[i]) if i == j else f"{uids[i]}:{uids[j]}")
        i = j + 1
    return ",".join(out)


_UID = re.compile(rb"UID (\d+)")
_FLAGS = re.compile(rb"FLAGS \(([^)]*)\)")
_IDATE = re.compile(rb'INTERNALDATE "([^"]+)"')
_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")
_ATT = re.compile(rb'\("attachment"', re.I)


class IMAP(Closing):
    """An IMAP session: ``folders()``, ``select()``, ``search()``,
    ``headers()``, ``message(uid)``, ``flag()``, ``copy()``, ``move()``,
    ``expunge()``, ``append()``, ``idle()``, ``view()``; a context manager."""

    def __init__(self, url=None, *, user=None, password=None, folder=None, starttls=False, timeout=30,
                 cafile=None, verify=True, batch=2000, readonly=True):
        self._reopen_args = (url, dict(user=user, password=password, starttls=starttls, timeout=timeout,
                                       cafile=cafile, verify=verify, batch=batch, readonly=readonly))
        self.url = parse_url(url, ("imap", "imaps"), user=user, password=password, default_kind="imap")
        u = self.url
        if not u.user:
            raise MailError("IMAP needs a user: imap://user@host:port")
        self.batch = int(batch)
        self.transcript = Transcript(title=f"IMAP {u.masked()}")
        ctx = tls_context(verify, cafile, host=u.host, port=u.port)
        try:
            if u.tls:
                self._c = _TracedIMAPS(self.transcript, u.host, u.port, ssl_context=ctx, timeout=timeout)
            else:
                self._c = _TracedIMAP(self.transcript, u.host, u.port, timeout=timeout)
        except (OSError, socket.timeout, imaplib.IMAP4.error) as e:
            raise NetworkError(f"cannot connect to {u.masked()}: {getattr(e, 'strerror', None) or e}") from e
        try:
            if starttls:
                self._c.starttls(ctx)
            self._c.login(u.user, u.password or "")
        except imaplib.IMAP4.error as e:
            self._shutdown()
            raise MailError(f"IMAP login as {u.user!r} refused: {_text(e)}") from None
        except (OSError, ssl.SSLError) as e:
            self._shutdown()
            raise NetworkError(f"IMAP session with {u.masked()} failed: {e}") from e
        self.folder = None
        self.readonly = True
        self.recent = 0
        self._frames: dict[str, object] = {}
        self._wire_names: dict[str, str] = {}  # names a server sent that are not modified UTF-7
        self.select(folder or u.name or "INBOX", readonly=readonly)

    # -- plumbing ----------------------------------------------------------------
    def _cmd(self, fn, *args):
        try:
            typ, data = fn(*args)
        except imaplib.IMAP4.abort as e:
            raise NetworkError(f"IMAP connection lost: {_text(e)}") from None
        except imaplib.IMAP4.error as e:
            raise MailError(f"IMAP: {_text(e)}") from None
        except OSError as e:
            raise NetworkError(f"IMAP connection lost: {e}") from e
        if typ != "OK":
            raise MailError(f"IMAP: {_text(data)}")
        return data

    def _shutdown(self):
        try:
            self._c.shutdown()
        except OSError:
            pass

    @property
    def capabilities(self) -> tuple:
        return tuple(self._c.capabilities)

    # -- folders -----------------------------------------------------------------
    def _list(self) -> list[tuple[str, str, str]]:
        """(name, flags, delimiter) of every folder; names decoded from
        modified UTF-7 (a name that is not valid modified UTF-7 is shown as
        sent and used as sent)."""
        out = []
        for line in self._cmd(self._c.list):
            if not line:
                continue
            literal = None
            if isinstance(line, tuple):  # the name came as a literal
                line, literal = line[0], line[1]
            m = re.match(rb'\(([^)]*)\) (NIL|"(?:[^"\\]|\\.)*") (.*)$', line)
            if not m:
                continue
            flags, delim = m.group(1).decode(), m.group(2).decode().strip('"')
            wire = literal.decode("utf-8", "replace") if literal is not None else m.group(3).decode("utf-8", "replace").strip()
            if literal is None and wire.startswith('"'):
                wire = wire[1:-1].replace('\\"', '"').replace("\\\\", "\\")
            try:
                name = decode_mailbox(wire)
            except MailboxNameError:
                name = self._wire_names[wire] = wire
            out.append((name, flags, delim))
        return out

    def folders(self):
        """Every folder: name (Unicode), flags, delimiter, messages, recent,
        unseen, uidnext."""
        import pandas as pd

        rows = []
        for name, flags, delim in self._list():
            messages = recent = unseen = uidnext = None
            if "\\Noselect" not in flags:
                st = self._cmd(self._c.status, self._wire(name), "(MESSAGES RECENT UNSEEN UIDNEXT)")[0]
                st = st.decode() if isinstance(st, bytes) else str(st)
                vals = dict(re.findall(r"(MESSAGES|RECENT|UNSEEN|UIDNEXT) (\d+)", st.rsplit("(", 1)[-1]))
                messages, recent, unseen, uidnext = (int(vals[k]) if k in vals else None for k in ("MESSAGES", "RECENT", "UNSEEN", "UIDNEXT"))
            rows.append((name, flags, delim, messages, recent, unseen, uidnext))
        return pd.DataFrame(rows, columns=["folder", "flags", "delimiter", "messages", "recent", "unseen", "uidnext"])

    def _wire(self, folder: str) -> str:
        """A folder name as sent: modified UTF-7, quoted where needed."""
        check_line(folder, "folder")
        if folder in self._wire_names:
            return _mailbox(self._wire_names[folder])
        try:
            return _mailbox(encode_mailbox(folder))
        except MailboxNameError as e:
            raise MailError(str(e)) from None

    @property
    def folder_names(self):
        return [name for name, _, _ in self._list()]

    def select(self, folder: str = "INBOX", readonly: bool = True) -> "IMAP":
        """Open ``folder`` (read-only by default: EXAMINE, which leaves
        \\Recent to the next session that SELECTs it).  ``.count`` and
        ``.recent`` are the folder's EXISTS and RECENT."""
        data = self._cmd(self._c.select, self._wire(folder), readonly)
        self.folder, self.readonly = folder, readonly
        self.count = int(data[0] or 0)
        recent = self._c.untagged_responses.get("RECENT") or [b"0"]
        self.recent = int(recent[-1] or 0)
        self._frames.pop(folder, None)
        return self

    def create(self, folder: str) -> None:
        """Create ``folder`` (any Unicode name the server accepts)."""
        self._cmd(self._c.create, self._wire(folder))

    def delete_folder(self, folder: str) -> None:
        self._cmd(self._c.delete, self._wire(folder))

    def rename_folder(self, old: str, new: str) -> None:
        self._cmd(self._c.rename, self._wire(old), self._wire(new))

    # -- searching and listing -------------------------------------------------------
    def search(self, criteria=None, **kw) -> list[int]:
        """UIDs matching ``criteria`` (a :class:`Q`, IMAP text, or Q keywords)."""
        q = criteria if isinstance(criteria, Q) else Q(criteria, **kw) if criteria or kw else Q()
        if kw and isinstance(criteria, Q):
            q = criteria & Q(**kw)
        data = self._cmd(self._c.uid, "SEARCH", str(q))
        return [int(x) for x in b" ".join(d for d in data if d).split()]

    def headers(self, criteria=None, *, uids=None, limit=None, **kw):
        """Headers of matching messages as a DataFrame (uid, flags, date, from,
        to, subject, size, attachments), fetched in batches."""
        if uids is None:
            uids = self.search(criteria, **kw) if (criteria or kw) else None
        if uids is not None:
            uids = sorted(uids)
            if limit:
                uids = uids[-int(limit):]
        return self._fetch_headers(uids)

    def _fetch_headers(self, uids):
        import pandas as pd

        rows = []
        query = f"(UID FLAGS INTERNALDATE RFC822.SIZE BODYSTRUCTURE BODY.PEEK[HEADER.FIELDS ({HEADER_FIELDS})])"
        if uids is None:
            sets = ["1:*"]
        else:
            sets = [uid_ranges(uids[i:i + self.batch]) for i in range(0, len(uids), self.batch)]
        for s in sets:
            data = self._cmd(self._c.uid, "FETCH", s, query)
            rows.extend(_parse_fetch(data))
        df = pd.DataFrame(rows, columns=["uid", "flags", "idate", "hdate", "from", "to", "subject", "size", "attachments"])
        idate = pd.to_datetime(df["idate"], format="%d-%b-%Y %H:%M:%S %z", utc=True, errors="coerce")
        hdate = pd.to_datetime(df["hdate"].map(_hdate), utc=True, errors="coerce")
        df["date"] = hdate.fillna(idate)
        df = df[COLUMNS].sort_values("uid", kind="stable").reset_index(drop=True)
        df["uid"] = df["uid"].astype("int64")
        df["size"] = df["size"].astype("int64")
        return df

    def to_frame(self):
        """Headers of every message in the selected folder."""
        return self.headers()

    def message(self, uid: int, mark_seen: bool = False) -> MailMessage:
        """The whole message ``uid`` (BODY.PEEK[] unless ``mark_seen``)."""
        item = "(UID FLAGS BODY[])" if mark_seen else "(UID FLAGS BODY.PEEK[])"
        data = self._cmd(self._c.uid, "FETCH", str(int(uid)), item)
        for d in data:
            if isinstance(d, tuple):
                m = _FLAGS.search(d[0])
                flags = m.group(1).decode().split() if m else []
                return MailMessage(d[1], uid=int(uid), flags=flags, folder=self.folder, transcript=self.transcript)
        raise MailError(f"no message with UID {uid} in {self.folder}")

    __getitem__ = message

    # -- changing ----------------------------------------------------------------------
    def _writable(self):
        if self.readonly:
            self.select(self.folder, readonly=False)

    def flag(self, uids, add=(), remove=()) -> None:
        """Add and/or remove flags (``"\\\\Seen"``, ``"\\\\Flagged"``, keywords)."""
        self._writable()
        s = uid_ranges(_as_list(uids))
        for op, flags in (("+FLAGS", add), ("-FLAGS", remove)):
            flags = [flags] if isinstance(flags, str) else list(flags)
            if flags:
                for f in flags:
                    if not re.fullmatch(r"\\?[\w$-]+", f):
                        raise MailError(f"bad flag {f!r}")
                self._cmd(self._c.uid, "STORE", s, op + ".SILENT", "(" + " ".join(flags) + ")")

    def mark_seen(self, uids, seen: bool = True) -> None:
        self.flag(uids, add=["\\Seen"] if seen else [], remove=[] if seen else ["\\Seen"])

    def copy(self, uids, folder: str) -> None:
        self._cmd(self._c.uid, "COPY", uid_ranges(_as_list(uids)), self._wire(folder))

    def move(self, uids, folder: str) -> None:
        """Move messages (MOVE where offered, else COPY + delete + expunge)."""
        target = self._wire(folder)
        self._writable()
        s = uid_ranges(_as_list(uids))
        if "MOVE" in self._c.capabilities:
            self._cmd(self._c.uid, "MOVE", s, target)
        else:
            self._cmd(self._c.uid, "COPY", s, target)
            self._cmd(self._c.uid, "STORE", s, "+FLAGS.SILENT", "(\\Deleted)")
            if "UIDPLUS" in self._c.capabilities:
                self._cmd(self._c.uid, "EXPUNGE", s)
            else:
                self._cmd(self._c.expunge)

    def delete(self, uids, expunge: bool = True) -> None:
        self.flag(uids, add=["\\Deleted"])
        if expunge:
            self.expunge()

    def expunge(self) -> None:
        self._writable()
        self._cmd(self._c.expunge)

    def append(self, message, folder: str | None = None, flags=(), date=None) -> None:
        """Append a message (bytes, text or EmailMessage) to ``folder``."""
        from email.message import EmailMessage

        if isinstance(message, EmailMessage):
            raw = message.as_bytes()
        elif isinstance(message, MailMessage):
            raw = message.raw
        else:
            raw = message.encode() if isinstance(message, str) else bytes(message)
        raw = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        folder = folder or self.folder
        flag_s = "(" + " ".join(flags) + ")" if flags else None
        when = imaplib.Time2Internaldate(date) if date is not None else None
        self._cmd(self._c.append, self._wire(folder), flag_s, when, raw)

    def idle(self, timeout: float = 30.0, stop_after: int = 1) -> list[str]:
        """Wait (IDLE) up to ``timeout`` s for news in the selected folder;
        returns the untagged lines (e.g. ``"3 EXISTS"``)."""
        if "IDLE" not in self._c.capabilities:
            raise MailError("the server does not offer IDLE")
        c = self._c
        tag = c._new_tag().decode()
        c.send(f"{tag} IDLE\r\n".encode())
        first = c.readline()
        if not first.startswith(b"+"):
            raise MailError(f"IDLE refused: {first.decode(errors='replace').strip()}")
        news: list[str] = []
        deadline = time.monotonic() + float(timeout)
        sock = c.sock
        while len(news) < stop_after:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            pending = getattr(sock, "pending", lambda: 0)()
            if not pending:
                r, _, _ = select.select([sock], [], [], min(left, 1.0))
                if not r:
                    continue
            line = c.readline()
            if not line:
                raise NetworkError("IMAP connection closed during IDLE")
            news.append(line.decode(errors="replace").strip().removeprefix("* "))
        c.send(b"DONE\r\n")
        for _ in range(10_000):
            line = c.readline()
            if not line:
                raise NetworkError("IMAP connection closed during IDLE")
            if line.startswith(tag.encode()):
                break
            news.append(line.decode(errors="replace").strip().removeprefix("* "))
        for item in news:
            m = re.fullmatch(r"(\d+) (EXISTS|RECENT)", item)
            if m and m.group(2) == "EXISTS":
                self.count = int(m.group(1))
            elif m:
                self.recent = int(m.group(1))
        return news

    def close(self) -> None:
        """LOGOUT."""
        try:
            self._c.logout()
        except (imaplib.IMAP4.error, OSError):
            self._shutdown()

    @property
    def closed(self) -> bool:
        """True after ``close()`` (LOGOUT) or once the connection is gone."""
        return getattr(self._c, "state", "LOGOUT") == "LOGOUT" or getattr(self._c, "sock", None) is None

    def reopen(self) -> "IMAP":
        """A new session with the same URL, credentials and options, in the same folder."""
        url, kw = self._reopen_args
        return type(self)(url, folder=self.folder, **kw)

    # -- presenting ----------------------------------------------------------------
    def table(self):
        from ..table import Table

        return Table(self.to_frame(), formats={"size": "size", "uid": "id"}, title=f"{self.url.masked()} {self.folder}")

    def view(self):
        from .view import FolderView

        return FolderView(self, folder=self.folder)

    def __repr__(self):
        return f"<IMAP {self.url.masked()} folder {self.folder!r}: {self.count} messages>"

    def _repr_mimebundle_(self, include=None, exclude=None):
        b = self.view()._repr_mimebundle_(include=include, exclude=exclude)
        b["text/plain"] = repr(self)
        return b

    # the folder-view protocol
    def _view_frame(self, folder):
        if folder != self.folder:
            self.select(folder)
        return self.headers()

    def _view_source(self, folder, eager_limit: int = 5000):
        """A Source for the view: a DataFrame for small folders, lazily paged
        by UID for big ones (only the visible page is fetched)."""
        from ..table.source import Column, DataFrameSource, LazySource

        if folder != self.folder:
            self.select(folder)
        if self.count <= eager_limit:
            return DataFrameSource(self.headers(), formats={"size": "size", "uid": "id"}, title=folder)
        uids = self.search("ALL")
        cols = [Column("uid", "int", "id"), Column("flags", "str"), Column("date", "datetime"), Column("from", "str"),
                Column("to", "str"), Column("subject", "str"), Column("size", "int", "size"), Column("attachments", "int")]

        def fetch(start, stop):
            if self.folder != folder:  # the session moved on (another view, a cell): page this folder still
                self.select(folder)
            df = self._fetch_headers(uids[start:stop])
            return list(df.itertuples(index=False, name=None))

        return LazySource(len(uids), cols, fetch, title=f"{folder} ({len(uids):,} messages)")

    def _view_message(self, folder, key):
        if folder != self.folder:
            self.select(folder)
        return self.message(int(key))


def _as_list(uids):
    if isinstance(uids, (int, str)):
        return [int(uids)]
    return [int(u) for u in uids]


def _mailbox(name: str) -> str:
    if re.fullmatch(r"[A-Za-z0-9._/-]+", name):
        return name
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _text(e) -> str:
    if isinstance(e, list):
        return " ".join(x.decode(errors="replace") if isinstance(x, bytes) else str(x) for x in e if x)
    args = getattr(e, "args", None) or [e]
    a = args[0]
    return a.decode(errors="replace") if isinstance(a, bytes) else str(a)


def _hdate(v):
    from .store import _date

    return _date(v) if isinstance(v, str) and v else None


def _parse_fetch(data):
    rows = []
    i, n = 0, len(data)
    while i < n:
        d = data[i]
        if isinstance(d, tuple):
            meta, hdr = d[0], d[1]
            if i + 1 < n and isinstance(data[i + 1], bytes):
                meta = meta + data[i + 1]
                i += 1
            uid = _UID.search(meta)
            if uid:
                fl = _FLAGS.search(meta)
                idt = _IDATE.search(meta)
                sz = _SIZE.search(meta)
                h = quick_headers(hdr, ("from", "to", "subject", "date"))
                rows.append((
                    int(uid.group(1)), fl.group(1).decode() if fl else "", idt.group(1).decode() if idt else None,
                    h.get("date"), h.get("from", ""), h.get("to", ""), h.get("subject", ""),
                    int(sz.group(1)) if sz else 0, len(_ATT.findall(meta)),
                ))
        i += 1
    return rows
