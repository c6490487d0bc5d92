"""``nb.news(url)``: a news server (nntplib) as tables.

``nntp://host:port/group``, ``nntps://`` (TLS), ``news:group`` /
``news:<message-id>`` (the running lab server, else localhost:119).
``.groups()``, ``.group(name)``, ``.overview(range)`` (OVER in batches),
``.article(n_or_id)`` (a MailMessage: HTML only in a sandboxed iframe),
``.thread(message_id)``, ``.post(...)``, ``.view()``, ``.to_frame()``,
``.transcript`` (AUTHINFO PASS masked).
"""
from __future__ import annotations

import email.utils
import re
import socket

from ..connection import Closing, ConnURL, Traced, parse
from ..errors import NetworkError
from ..interpolate import check_line
from ..tls import tls_context
from ..transcript import Transcript
from .store import NewsError, check_group

try:
    import warnings

    with warnings.catch_warnings():  # 3.13+: standard-nntplib says it is not the stdlib's
        warnings.simplefilter("ignore", DeprecationWarning)
        import nntplib
except ImportError as e:  # pragma: no cover - 3.13 without standard-nntplib
    raise ImportError("nntplib is missing: on Python 3.13+ install standard-nntplib") from e

__all__ = ["News", "NewsURL", "parse_url", "build_article", "OVERVIEW_COLUMNS"]

PORTS = {"nntp": 119, "news": 119, "nntps": 563, "snews": 563}
OVERVIEW_COLUMNS = ["number", "subject", "from", "date", "message_id", "references", "bytes", "lines"]


class NewsURL(ConnURL):
    """A news URL: the connection layer's URL plus what its path names,
    a ``group`` or a ``message_id`` (``news:<id>``, ``news:id@host``)."""

    @property
    def message_id(self) -> str | None:
        name = self.name
        if name.startswith("<"):
            return name
        return f"<{name}>" if "@" in name and "/" not in name else None

    @property
    def group(self) -> str | None:
        return None if self.message_id or not self.name else self.name.split("/")[0]


def parse_url(url, *, user=None, password=None) -> NewsURL:
    """``nntp://[user[:pw]@]host[:port][/group]``, ``nntps://``, ``news:group``,
    ``news:<id>``, ``news://host/group``; a lab server or None (the running
    one; for ``news:group`` without a host, else localhost)."""
    u = parse(url, PORTS, user=user, password=password, kind="nntp", error=NewsError, what="a news",
              cls=NewsURL, hostless="localhost")
    if u.group:
        check_group(u.group)
    return u


def build_article(subject: str, body: str, groups, from_: str, *, references=None, message_id=None,
                  headers=None) -> bytes:
    """An article as bytes.  Every header value is one line: a CR or LF
    in one raises InjectionError (it would forge headers)."""
    if isinstance(groups, str):
        groups = [g.strip() for g in groups.split(",") if g.strip()]
    groups = [check_group(check_line(g, "newsgroup")) for g in groups]
    if not groups:
        raise NewsError("post needs at least one newsgroup")
    h = {"From": from_, "Newsgroups": ",".join(groups), "Subject": subject}
    if references:
        h["References"] = references if isinstance(references, str) else " ".join(references)
    if message_id:
        h["Message-ID"] = message_id
    for k, v in (headers or {}).items():
        h[str(k)] = v
    lines = []
    for k, v in h.items():
        check_line(k, "header name")
        check_line(str(v), f"{k} header")
        if not k or ":" in k or " " in k:
            raise NewsError(f"not a header name: {k!r}")
        lines.append(f"{k}: {v}")
    if not any(k.lower() == "content-type" for k in h):
        lines += ["MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit"]
    text = "\r\n".join(lines) + "\r\n\r\n" + body.replace("\r\n", "\n").replace("\n", "\r\n")
    return text.encode("utf-8")


_MAX_LINE = 1 << 16  # nntplib stops at 2048 bytes a line; real servers send longer OVER lines


class _LongLines:
    """nntplib's ``_getline`` with a 64 KiB bound instead of 2048 bytes, so
    one over-long header on a server does not make a group unreadable."""

    def _getline(self, strip_crlf=True):
        line = self.file.readline(_MAX_LINE + 1)
        if len(line) > _MAX_LINE:
            raise nntplib.NNTPDataError("line too long")
        if not line:
            raise EOFError
        if strip_crlf:
            if line[-2:] == b"\r\n":
                line = line[:-2]
            elif line[-1:] in b"\r\n":
                line = line[:-1]
        return line


class _TracedNNTP(Traced, _LongLines, nntplib.NNTP):
    _nb_file_mode = "rwb"


if hasattr(nntplib, "NNTP_SSL"):
    class _TracedNNTPS(Traced, _LongLines, nntplib.NNTP_SSL):
        _nb_file_mode = "rwb"


def _err(e) -> str:
    return str(getattr(e, "response", None) or e)


class News(Closing):
    """A session with a news server; ``.group`` is the selected group."""

    folder_label = "group"

    def __init__(self, url=None, *, user=None, password=None, timeout=30, cafile=None, verify=True, batch=500):
        self._reopen_args = (url, dict(user=user, password=password, timeout=timeout, cafile=cafile, verify=verify, batch=batch))
        self.url = parse_url(url, user=user, password=password)
        self.transcript = Transcript(title=f"NNTP {self.url.masked()}")
        self.batch = int(batch)
        u = self.url
        try:
            if u.tls:
                ctx = tls_context(verify, cafile, host=u.host, port=u.port)
                self._c = _TracedNNTPS(self.transcript, u.host, u.port, ssl_context=ctx, readermode=True, timeout=timeout)
            else:
                self._c = _TracedNNTP(self.transcript, u.host, u.port, readermode=True, timeout=timeout)
        except (OSError, socket.timeout, EOFError) as e:
            raise NetworkError(f"cannot connect to {u.masked()}: {getattr(e, 'strerror', None) or e}") from e
        except nntplib.NNTPError as e:
            raise NewsError(f"NNTP server at {u.masked()} refused the session: {_err(e)}") from None
        try:
            if u.user:
                self._c.login(u.user, u.password or "", usenetrc=False)
        except nntplib.NNTPError as e:
            self._c._close()
            raise NewsError(f"NNTP login as {u.user!r} refused: {_err(e)}") from None
        self.welcome = self._c.getwelcome()
        self.group_name = None
        self.group_info = None
        if u.group:
            self.group(u.group)

    # -- protocol ---------------------------------------------------------------
    def _call(self, fn, *args, **kw):
        try:
            return fn(*args, **kw)
        except nntplib.NNTPError as e:
            hint = " (log in: nntp://user@host:port/group with password=)" if _err(e).startswith("480") else ""
            raise NewsError(f"NNTP: {_err(e)}{hint}") from None
        except (OSError, EOFError) as e:
            raise NetworkError(f"NNTP connection lost: {e}") from e

    @property
    def capabilities(self) -> dict:
        return self._c.getcapabilities()

    def groups(self, pattern: str | None = None):
        """name, first, last, count, posting, description (LIST ACTIVE + LIST NEWSGROUPS)."""
        import pandas as pd

        if pattern:
            check_line(pattern, "pattern")
        _, active = self._call(self._c.list, pattern)
        try:
            _, desc = self._c.descriptions(pattern or "*")
            desc = dict(desc) if isinstance(desc, dict) else desc
        except nntplib.NNTPError:
            desc = {}
        rows = []
        for gi in active:
            first, last = int(gi.first), int(gi.last)
            rows.append((gi.group, first, last, max(0, last - first + 1), gi.flag in ("y", "m"), desc.get(gi.group, "")))
        return pd.DataFrame(rows, columns=["name", "first", "last", "count", "posting", "description"])

    def group(self, name: str) -> dict:
        """Select a group (GROUP): its count, first, last."""
        check_line(name, "group")
        _, count, first, last, gname = self._call(self._c.group, name)
        self.group_name = gname
        self.group_info = {"name": gname, "count": int(count), "first": int(first), "last": int(last)}
        return self.group_info

    def _need_group(self, group=None):
        if group and group != self.group_name:
            self.group(group)
        if self.group_name is None:
            raise NewsError("no newsgroup selected: .group(name) first (or a URL ending in /group)")
        return self.group_info

    def overview(self, range=None, *, group=None, batch: int | None = None):
        """OVER for ``range`` (``(first, last)``, ``"10-20"``, ``"10-"``, an
        int, or None: the whole group), fetched ``batch`` articles at a time;
        number, subject, from, date, message_id, references, bytes, lines."""

        info = self._need_group(group)
        first, last = info["first"], info["last"]
        if range is None:
            lo, hi = first, last
        elif isinstance(range, int):
            lo = hi = range
        elif isinstance(range, str):
            a, sep, b = range.partition("-")
            try:
                lo = int(a)
                hi = (int(b) if b else last) if sep else lo
            except ValueError:
                raise NewsError(f"not a range: {range!r} (like '10-20', '10-' or 10)") from None
        else:
            lo, hi = (int(x) for x in range)
        if lo < 0 or hi < lo - 1:
            raise NewsError(f"not a range: {lo}-{hi}")
        batch = int(batch or self.batch)
        rows: list[list[str]] = []
        start = max(lo, first)
        cmd = "OVER" if "OVER" in self._c._caps else "XOVER"
        while start <= hi:
            end = min(hi, start + batch - 1)
            try:
                # the raw lines, split here in one go (nntplib's over() builds a dict per
                # article; the first seven fields are fixed by RFC 3977 8.4 whatever the format)
                _, items = self._c._longcmdstring(f"{cmd} {start}-{end}")
            except nntplib.NNTPTemporaryError as e:  # 423: none in that stretch
                if not _err(e).startswith("423"):
                    raise NewsError(f"NNTP: {_err(e)}") from None
                items = []
            except nntplib.NNTPError as e:
                raise NewsError(f"NNTP: {_err(e)}") from None
            except (OSError, EOFError) as e:
                raise NetworkError(f"NNTP connection lost: {e}") from e
            rows += [ln.split("\t", 8)[:8] for ln in items]
            start = end + 1
        return _over_frame(rows)

    def article(self, which):
        """An article by number (in the selected group) or ``<message-id>``,
        as a MailMessage."""
        from ..mail.message import MailMessage

        if isinstance(which, str) and not which.strip().isdigit():
            check_line(which, "message-id")
            which = which.strip()
            if not which.startswith("<"):
                which = f"<{which}>"
        else:
            self._need_group()
            which = int(which)
        _, info = self._call(self._c.article, which)
        raw = b"\r\n".join(info.lines) + b"\r\n"
        return MailMessage(raw, uid=info.number or None, folder=self.group_name or "", transcript=self.transcript)

    def __getitem__(self, which):
        return self.article(which)

    def thread(self, message_id: str, *, group=None):
        """The thread holding ``message_id`` in its group, from References:
        depth, number, message_id, subject, from, date, parent (depth-first)."""
        import pandas as pd

        check_line(message_id, "message-id")
        if group is None and self.group_name is None:
            _, hdrs = self._call(self._c.xhdr, "Xref", message_id)
            parts = (hdrs[0][1] if hdrs else "").split()
            group = parts[1].split(":")[0] if len(parts) > 1 else None
        df = self.overview(group=group)
        if message_id not in set(df["message_id"]):
            raise NewsError(f"{message_id} is not in {self.group_name}")
        refs = {m: r.split() for m, r in zip(df["message_id"], df["references"])}
        ids = set(refs)

        def parent(m):
            for r in reversed(refs[m]):
                if r in ids:
                    return r
            return None

        def root(m):
            seen = set()
            while parent(m) is not None and m not in seen:
                seen.add(m)
                m = parent(m)
            return m

        top = root(message_id)
        children: dict = {}
        for m in df["message_id"]:
            p = parent(m)
            if p is not None:
                children.setdefault(p, []).append(m)
        by_id = df.set_index("message_id")
        rows, stack, seen = [], [(top, 0)], set()
        while stack:
            m, d = stack.pop()
            if m in seen:
                continue
            seen.add(m)
            r = by_id.loc[m]
            rows.append((d, int(r["number"]), m, r["subject"], r["from"], r["date"], parent(m)))
            kids = sorted(children.get(m, []), key=lambda k: by_id.loc[k]["number"])
            stack.extend((k, d + 1) for k in reversed(kids))
        return pd.DataFrame(rows, columns=["depth", "number", "message_id", "subject", "from", "date", "parent"])

    def post(self, subject: str, body: str, groups=None, *, from_: str = "student@netbook.lab", references=None,
             headers=None) -> str:
        """POST an article; returns its message-id.  CR/LF in any header
        value raises InjectionError."""
        groups = groups or self.group_name
        if not groups:
            raise NewsError("post needs groups= (or a selected group)")
        data = build_article(subject, body, groups, from_, references=references, headers=headers)
        resp = self._call(self._c.post, data)
        parts = resp.split()
        mid = next((p for p in parts if p.startswith("<") and p.endswith(">")), None)
        if self.group_name:
            try:
                self.group(self.group_name)
            except NewsError:
                pass
        return mid or resp

    def close(self) -> None:
        try:
            self._c.quit()
        except (nntplib.NNTPError, OSError, EOFError):
            try:
                self._c._close()
            except Exception:  # noqa: BLE001
                pass

    @property
    def closed(self) -> bool:
        """True after ``close()`` (QUIT) or once the connection is gone."""
        return getattr(self._c, "file", None) is None

    def reopen(self) -> "News":
        """A new session with the same URL, credentials and options, in the same group."""
        url, kw = self._reopen_args
        new = type(self)(url, **kw)
        if self.group_name and new.group_name != self.group_name:
            new.group(self.group_name)
        return new

    # -- presenting ---------------------------------------------------------------
    def to_frame(self):
        """The selected group's overview, else the group list."""
        return self.overview() if self.group_name else self.groups()

    def table(self):
        from ..table import Table

        title = f"{self.group_name or 'groups'} on {self.url.masked()}"
        return Table(self.to_frame(), formats={"bytes": "size", "number": "id", "first": "id", "last": "id"}, title=title)

    def view(self, group: str | None = None):
        from .view import NewsView

        return NewsView(self, group or self.group_name)

    def __repr__(self):
        where = f" group {self.group_name} ({self.group_info['count']} articles)" if self.group_name else ""
        return f"<News {self.url.masked()}{where}>"

    def _repr_mimebundle_(self, include=None, exclude=None):
        b = self.view()._repr_mimebundle_(include=include, exclude=exclude)
        b["text/plain"] = repr(self)
        return b

    # the folder-view protocol (netbook.mail.view.FolderView)
    @property
    def folder_names(self):
        return list(self.groups()["name"])

    def _view_frame(self, group):
        return self.overview(group=group)

    def _view_message(self, group, number):
        self._need_group(group)
        return self.article(int(number))


def _over_frame(rows: list[list[str]]):
    """The overview DataFrame from split OVER lines: columns built as plain
    lists first (one pass each), then one DataFrame."""
    import numpy as np
    import pandas as pd

    from ..mail.message import decode_header

    rows = [r if len(r) == 8 else (r + [""] * 8)[:8] for r in rows]
    cols = list(zip(*rows)) if rows else [()] * 8

    def num(seq):
        return np.array([int(v) if v.isdigit() else 0 for v in seq], dtype="int64")

    def text(seq):  # RFC 2047 words decoded where there are any; runs of spaces folded
        return [decode_header(v) if "=?" in v else (" ".join(v.split()) if "  " in v or v[:1] == " " or v[-1:] == " " else v)
                for v in seq]

    return pd.DataFrame({
        "number": num(cols[0]), "subject": text(cols[1]), "from": text(cols[2]),
        "date": _dates(pd.Series(cols[3], dtype=object)), "message_id": list(cols[4]), "references": list(cols[5]),
        "bytes": num(cols[6]), "lines": num(cols[7]),
    }, columns=OVERVIEW_COLUMNS)


_DATE_COMMENT = re.compile(r"\s*\([^)]*\)\s*$")


def _norm_date(v) -> str:
    """An RFC 5322 date in the one form ``%d %b %Y %H:%M:%S %z`` parses (plain
    string checks: a regex per row over a column costs more than the parse)."""
    if not isinstance(v, str):
        return ""
    if v.endswith(")"):
        v = _DATE_COMMENT.sub("", v)
    if v[3:4] == ",":  # "Fri, "
        v = v[4:].lstrip()
    if v.endswith((" GMT", " UTC", " UT", " Z")):  # formatdate(usegmt=True) writes GMT
        v = v.rsplit(" ", 1)[0] + " +0000"
    return v


def _dates(col):
    """RFC 5322 dates as UTC datetimes: vectorised for the common form,
    email.utils for the rest (comments, obsolete zones); NaT when unparsable."""
    import pandas as pd

    text = pd.Series([_norm_date(v) for v in col], index=col.index, dtype=object)
    out = pd.to_datetime(text, format="%d %b %Y %H:%M:%S %z", errors="coerce", utc=True)
    rest = out.isna() & col.astype(bool)
    if rest.any():
        out[rest] = pd.to_datetime(col[rest].map(_parse_date), utc=True)
    return out


def _parse_date(v):
    try:
        d = email.utils.parsedate_to_datetime(v)
    except (TypeError, ValueError, IndexError):
        return None
    return d if d.tzinfo else d.replace(tzinfo=__import__("datetime").timezone.utc)
