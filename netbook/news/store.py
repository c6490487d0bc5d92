"""A news spool for the lab NNTP server: newsgroups, numbered articles and
their message-ids, in memory and optionally in a directory (one file per
article, named by a hash of its message-id, so no name from the wire ever
becomes a path).  Thread-safe; articles are never rewritten once stored.
"""
from __future__ import annotations

import email.utils
import hashlib
import os
import re
import threading
import time
from dataclasses import dataclass, field

from ..errors import NewsError

__all__ = ["NewsStore", "NewsError", "Article", "Group", "check_group", "check_message_id", "OVERVIEW_FMT"]

# RFC 3977 3.1.4: dot-separated components of letters, digits, + - _
_GROUP = re.compile(r"[A-Za-z0-9+_-]+(?:\.[A-Za-z0-9+_-]+)*")
# RFC 3977 3.6: <...>, printable ASCII without > inside, at most 250 octets
_MSGID = re.compile(r"<[!-=?-~]+>")

OVERVIEW_FMT = ["Subject:", "From:", "Date:", "Message-ID:", "References:", ":bytes", ":lines", "Xref:full"]
MAX_LINE = 998  # octets in one header line of an article, CRLF not counted (RFC 5322 2.1.1)
MAX_OVERVIEW = 2000  # octets in one OVER line: nntplib, the usual client, reads lines of at most 2048


def overview_field(v: str) -> str:
    """A header value for an overview/HDR line: TAB, CR and LF become spaces."""
    return v.replace("\t", " ").replace("\r", " ").replace("\n", " ")


def overview_line(number: int, a: "Article") -> str:
    """The OVER line of article ``a`` as number ``number`` (RFC 3977 8.3)."""
    fields = [str(number)]
    for f in OVERVIEW_FMT:
        v = a.metadata(f) if f.startswith(":") else a.header(f.split(":")[0])
        if f == "Xref:full":
            v = f"Xref: {v}" if v else ""
        fields.append(overview_field(v))
    return "\t".join(fields)


def check_group(name: str) -> str:
    """A valid newsgroup name (``lab.general``); a path-like or empty name
    raises NewsError."""
    if not isinstance(name, str) or len(name) > 200 or not _GROUP.fullmatch(name):
        raise NewsError(f"not a newsgroup name: {name!r} (dot-separated letters, digits, + - _)")
    return name


def check_message_id(mid: str) -> str:
    if not isinstance(mid, str) or len(mid) > 250 or not _MSGID.fullmatch(mid):
        raise NewsError(f"not a message-id: {mid!r} (expected <local@domain>)")
    return mid


@dataclass
class Article:
    message_id: str
    raw: bytes                      # CRLF line ends, headers include Xref
    posted: float
    xref: dict = field(default_factory=dict)  # group -> number
    _head: dict | None = field(default=None, repr=False)

    @property
    def head(self) -> bytes:
        return self.raw.split(b"\r\n\r\n", 1)[0]

    @property
    def body(self) -> bytes:
        parts = self.raw.split(b"\r\n\r\n", 1)
        return parts[1] if len(parts) > 1 else b""

    def header(self, name: str) -> str:
        """One header's value, unfolded ('' when absent)."""
        if self._head is None:
            h: dict[str, str] = {}
            cur = None
            for line in self.head.decode("utf-8", "replace").split("\r\n"):
                if line[:1] in (" ", "\t") and cur:
                    h[cur] += " " + line.strip()
                    continue
                k, sep, v = line.partition(":")
                if sep:
                    cur = k.strip().lower()
                    h.setdefault(cur, v.strip())
            self._head = h
        return self._head.get(name.lower(), "")

    def metadata(self, name: str) -> str:
        name = name.lower()
        if name == ":bytes":
            return str(len(self.raw))
        if name == ":lines":
            body = self.body
            return str(body.count(b"\r\n") + (0 if not body or body.endswith(b"\r\n") else 1))
        return self.header(name.rstrip(":"))


@dataclass
class Group:
    name: str
    description: str = ""
    posting: bool = True
    created: float = field(default_factory=time.time)
    articles: dict = field(default_factory=dict)  # number -> message-id
    next_number: int = 1

    @property
    def low(self) -> int:
        return min(self.articles) if self.articles else self.next_number

    @property
    def high(self) -> int:
        return max(self.articles) if self.articles else self.next_number - 1

    @property
    def status(self) -> str:
        return "y" if self.posting else "n"


class NewsStore:
    """Groups and articles.  ``path`` (optional) keeps articles on disk and
    loads them back on the next start."""

    def __init__(self, groups=None, path=None, *, hostname: str = "netbook.lab"):
        self.hostname = hostname
        self.groups: dict[str, Group] = {}
        self.articles: dict[str, Article] = {}
        self.path = os.fspath(path) if path is not None else None
        self.lock = threading.RLock()
        for name, desc in (groups or {}).items():
            self.add_group(name, desc)
        if self.path:
            os.makedirs(self.path, exist_ok=True)
            self._load()

    # -- groups --------------------------------------------------------------------
    def add_group(self, name: str, description: str = "", posting: bool = True) -> Group:
        check_group(name)
        with self.lock:
            g = self.groups.get(name)
            if g is None:
                g = self.groups[name] = Group(name, description or "", posting)
            elif description:
                g.description = description
            return g

    def group(self, name: str) -> Group:
        with self.lock:
            try:
                return self.groups[name]
            except KeyError:
                raise NewsError(f"no such newsgroup: {name!r}") from None

    # -- articles ------------------------------------------------------------------
    def get(self, message_id: str) -> Article | None:
        with self.lock:
            return self.articles.get(message_id)

    def in_group(self, group: str, number: int) -> Article | None:
        with self.lock:
            mid = self.groups[group].articles.get(number)
            return self.articles.get(mid) if mid else None

    def new_message_id(self) -> str:
        return f"<{time.time_ns():x}.{os.getpid()}.{os.urandom(3).hex()}@{self.hostname}>"

    def post(self, raw: bytes, *, path_host: str | None = None, when: float | None = None) -> Article:
        """Store an article (bytes, CRLF or LF line ends): checks Newsgroups,
        From and Subject, adds Message-ID, Date, Path and Xref.  Raises
        NewsError when it cannot be accepted (the reason is one line)."""
        raw = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        head, sep, body = raw.partition(b"\r\n\r\n")
        if not sep:
            head, body = raw.rstrip(b"\r\n"), b""
        longest = max(map(len, head.split(b"\r\n")), default=0)
        if longest > MAX_LINE:  # RFC 5322 2.1.1; nntplib and others read at most 2048 bytes a line
            raise NewsError(f"a header line of {longest} bytes: header lines are at most {MAX_LINE} bytes (fold them)")
        try:
            text = head.decode("utf-8")
        except UnicodeDecodeError:
            raise NewsError("headers are not UTF-8") from None
        lines = text.split("\r\n")
        if lines and lines[0] and lines[0][0] in " \t":
            raise NewsError("the first header line is a continuation")
        names = []
        for ln in lines:
            if ln[:1] in (" ", "\t"):
                continue
            k, colon, _ = ln.partition(":")
            if not colon or not k or not re.fullmatch(r"[!-9;-~]+", k):
                raise NewsError(f"malformed header line: {ln[:60]!r}")
            names.append(k.lower())
        art = Article("", raw, 0.0)
        art.raw = head + b"\r\n\r\n"
        for need in ("newsgroups", "from", "subject"):
            if not art.header(need):
                raise NewsError(f"the article has no {need.title()} header")
        groups = [g.strip() for g in art.header("newsgroups").split(",") if g.strip()]
        for g in groups:
            check_group(g)
        mid = art.header("message-id")
        drop = {"xref", "path"}  # the server writes its own
        with self.lock:
            for g in groups:
                grp = self.groups.get(g)
                if grp is None:
                    raise NewsError(f"no such newsgroup: {g}")
                if not grp.posting:
                    raise NewsError(f"posting to {g} is not allowed")
            if mid:
                check_message_id(mid)
                if mid in self.articles:
                    raise NewsError(f"duplicate message-id {mid}")
            else:
                mid = self.new_message_id()
            when = time.time() if when is None else when
            xref = {g: self.groups[g].next_number for g in groups}
            extra = []
            if not art.header("message-id"):
                extra.append(f"Message-ID: {mid}")
            if not art.header("date"):
                extra.append(f"Date: {email.utils.formatdate(when, usegmt=True)}")
            extra.append(f"Path: {path_host or self.hostname}!not-for-mail")
            extra.append("Xref: " + " ".join([self.hostname] + [f"{g}:{n}" for g, n in xref.items()]))
            kept = [ln for ln in _logical(lines) if ln.split(":", 1)[0].strip().lower() not in drop]
            full = ("\r\n".join(kept + extra)).encode("utf-8") + b"\r\n\r\n" + body
            a = Article(mid, full, when, xref)
            over = len(overview_line(0, a).encode("utf-8"))
            if over > MAX_OVERVIEW:
                raise NewsError(f"the headers make a {over}-byte overview line (at most {MAX_OVERVIEW}; "
                                "nntplib reads 2048 bytes a line): shorten Subject/References")
            for g in groups:
                self.groups[g].next_number += 1
            self.articles[mid] = a
            for g, n in xref.items():
                self.groups[g].articles[n] = mid
            self._save(a)
        return a

    def since(self, when: float, groups=None) -> list[Article]:
        with self.lock:
            return [a for a in self.articles.values() if a.posted >= when and (groups is None or any(g in groups for g in a.xref))]

    # -- disk ----------------------------------------------------------------------
    def _file(self, mid: str) -> str:
        return os.path.join(self.path, hashlib.sha256(mid.encode()).hexdigest()[:32] + ".eml")

    def _save(self, a: Article) -> None:
        if not self.path:
            return
        tmp = self._file(a.message_id) + ".tmp"
        with open(tmp, "wb") as f:
            f.write(a.raw)
        os.replace(tmp, self._file(a.message_id))
        os.utime(self._file(a.message_id), (a.posted, a.posted))

    def _load(self) -> None:
        for fn in sorted(os.listdir(self.path)):
            if not fn.endswith(".eml"):
                continue
            p = os.path.join(self.path, fn)
            with open(p, "rb") as f:
                raw = f.read()
            a = Article("", raw, os.path.getmtime(p))
            mid = a.header("message-id")
            if not mid or mid in self.articles:
                continue
            a.message_id = mid
            parts = a.header("xref").split()[1:]
            for part in parts:
                g, _, n = part.partition(":")
                if g in self.groups and n.isdigit():
                    a.xref[g] = int(n)
            if not a.xref:
                continue
            self.articles[mid] = a
            for g, n in a.xref.items():
                grp = self.groups[g]
                grp.articles[n] = mid
                grp.next_number = max(grp.next_number, n + 1)

    # -- presenting ----------------------------------------------------------------
    def to_frame(self):
        import pandas as pd

        with self.lock:
            rows = [(g.name, g.low, g.high, len(g.articles), g.posting, g.description) for g in self.groups.values()]
        return pd.DataFrame(rows, columns=["name", "first", "last", "count", "posting", "description"])

    def __repr__(self):
        return f"<NewsStore {len(self.groups)} groups, {len(self.articles)} articles{' in ' + self.path if self.path else ''}>"


def _logical(lines):
    """Header lines with their continuation lines kept attached (so dropping
    a header drops its continuations too)."""
    out = []
    for ln in lines:
        if ln[:1] in (" ", "\t") and out:
            out[-1] += "\r\n" + ln
        else:
            out.append(ln)
    return out
