"""``serve.nntp()``: netbook's own NNTP server (RFC 3977 reader commands,
AUTHINFO USER/PASS from RFC 4643) on socketserver, over a NewsStore.

CAPABILITIES, MODE READER, GROUP, LISTGROUP, LIST (ACTIVE, NEWSGROUPS,
OVERVIEW.FMT, HEADERS), NEXT, LAST, ARTICLE, HEAD, BODY, STAT (by number
or message-id), OVER/XOVER, HDR/XHDR, NEWGROUPS, NEWNEWS, POST, DATE,
HELP, QUIT, AUTHINFO.  Malformed commands get 500/501, never a dead
server; one log row per command is written before its reply.

    srv = nb.serve.nntp(groups={"lab.general": "General discussion"})
    srv.url                      # nntp://127.0.0.1:PORT
"""
from __future__ import annotations

import calendar
import fnmatch
import re
import time

from ._mailcommon import LineHandler, LineLab

__all__ = ["NNTPLab", "serve"]

_RANGE = re.compile(r"^(\d{1,15})(-(\d{1,15})?)?$")
_MSGID = re.compile(r"^<[!-=?-~]+>$")


class _Syntax(Exception):
    """501: the command's arguments are malformed."""


def wildmat(pattern: str, name: str) -> bool:
    """RFC 3977 4.2 wildmat: comma-separated patterns, ``!`` negates, the
    last match wins.  ``[`` is literal (no character classes)."""
    result = False
    for p in pattern.split(","):
        neg = p.startswith("!")
        p = p[1:] if neg else p
        if fnmatch.fnmatchcase(name, p.replace("[", "[[]")):
            result = not neg
    return result


def _parse_when(date: str, tod: str) -> float:
    """NEWGROUPS/NEWNEWS ``yyyymmdd hhmmss`` (or ``yymmdd``), GMT."""
    if not (date.isdigit() and tod.isdigit() and len(tod) == 6 and len(date) in (6, 8)):
        raise _Syntax
    if len(date) == 6:  # RFC 3977 7.3.2: the closest century
        yy = int(date[:2])
        now = time.gmtime().tm_year
        year = (now // 100) * 100 + yy
        if year > now + 50:
            year -= 100
        elif year < now - 50:
            year += 100
        date = f"{year:04d}" + date[2:]
    try:
        return calendar.timegm(time.strptime(date + tod, "%Y%m%d%H%M%S"))
    except ValueError:
        raise _Syntax from None


class NNTPHandler(LineHandler):
    max_line = 4096  # RFC 3977: command lines are at most 512 octets; be lenient

    # commands allowed before AUTHINFO when the server has users
    OPEN = {"CAPABILITIES", "MODE", "AUTHINFO", "QUIT", "HELP", "DATE"}

    def handle(self):
        if not self.implicit_tls():
            return
        self.user = None
        self.authed = self.lab.users is None
        self.group = None       # the selected group's name
        self.current = None     # the current article number
        self.pending_user = None
        self.reply(f"{200 if self.lab.posting else 201} netbook NNTP server ready "
                   f"(posting {'allowed' if self.lab.posting else 'prohibited'})", log=False)
        try:
            for text in self.commands("500 line too long"):
                cmd, _, arg = text.strip().partition(" ")
                cmd = cmd.upper()
                arg = arg.strip()
                method = getattr(self, "do_" + cmd, None) if cmd.isalpha() else None
                if method is None:
                    self.reply("500 unknown command")
                    continue
                if not self.authed and cmd not in self.OPEN:
                    self.reply("480 authentication required")
                    continue
                try:
                    if method(arg) == "quit":
                        break
                except _Syntax:
                    self.reply("501 syntax error")
                except (ConnectionError, TimeoutError):
                    break
                except Exception as e:  # noqa: BLE001 - a bug must not kill the session
                    self.reply(f"403 internal fault ({type(e).__name__})", detail=f"internal error: {e}")
        except OSError:
            pass

    def reply(self, status: str, request: str | None = None, lines=None, detail: str = "", log: bool = True):
        """Log the command (one row, before the reply is sent), then send
        the status line and, for multi-line replies, the dot-stuffed lines."""
        data = self.multiline(status, lines)
        if log:
            self._sent += len(data)
            self.log(request if request is not None else self._request, status.split(" ", 1)[0], detail)
        self.wfile.write(data)

    @property
    def store(self):
        return self.lab.store

    # -- session ---------------------------------------------------------------------
    def do_CAPABILITIES(self, arg):
        caps = ["VERSION 2", "READER", "OVER MSGID", "HDR", "NEWNEWS",
                "LIST ACTIVE NEWSGROUPS OVERVIEW.FMT HEADERS", "IMPLEMENTATION netbook"]
        if self.lab.posting and self.authed:
            caps.insert(2, "POST")
        if self.lab.users is not None and not self.authed:
            caps.append("AUTHINFO USER")
        self.reply("101 capability list follows", lines=caps)

    def do_MODE(self, arg):
        if arg.upper() != "READER":
            raise _Syntax
        ok = self.lab.posting and self.authed
        self.reply(f"{200 if ok else 201} reader mode, posting {'allowed' if ok else 'prohibited'}")

    def do_QUIT(self, arg):
        self.reply("205 closing connection")
        return "quit"

    def do_DATE(self, arg):
        self.reply("111 " + time.strftime("%Y%m%d%H%M%S", time.gmtime()))

    def do_HELP(self, arg):
        names = sorted(n[3:] for n in dir(self) if n.startswith("do_"))
        self.reply("100 help text follows", lines=["commands: " + " ".join(names),
                                                   "articles by number (in the selected group) or <message-id>"])

    def do_AUTHINFO(self, arg):
        sub, _, value = arg.partition(" ")
        sub, value = sub.upper(), value.strip()
        if self.authed and self.lab.users is not None:
            return self.reply("502 already authenticated")
        if sub == "USER":
            if not value:
                raise _Syntax
            self.pending_user = value
            return self.reply("381 password required")
        if sub == "PASS":
            if self.pending_user is None:
                return self.reply("482 AUTHINFO USER first")
            user, self.pending_user = self.pending_user, None
            if self.lab.check_password(user, value):
                self.user, self.authed = user, True
                return self.reply("281 authentication accepted", detail=f"logged in as {user}")
            return self.reply("481 authentication failed", detail="login failed")
        raise _Syntax

    # -- groups --------------------------------------------------------------------------
    def _select(self, name):
        g = self.store.groups.get(name)
        if g is None:
            return None
        self.group = name
        self.current = g.low if g.articles else None
        return g

    def do_GROUP(self, arg):
        if not arg or " " in arg:
            raise _Syntax
        with self.store.lock:
            g = self._select(arg)
            if g is None:
                return self.reply("411 no such newsgroup")
            self.reply(f"211 {len(g.articles)} {g.low} {g.high} {g.name} group selected")

    def _range(self, spec, low, high):
        m = _RANGE.match(spec)
        if not m:
            raise _Syntax
        a = int(m.group(1))
        b = a if not m.group(2) else (int(m.group(3)) if m.group(3) else high)
        return a, b

    def do_LISTGROUP(self, arg):
        parts = arg.split()
        if len(parts) > 2:
            raise _Syntax
        with self.store.lock:
            if parts:
                g = self._select(parts[0])
                if g is None:
                    return self.reply("411 no such newsgroup")
            elif self.group is None:
                return self.reply("412 no newsgroup selected")
            else:
                g = self.store.groups[self.group]
                self.current = g.low if g.articles else None
            a, b = self._range(parts[1], g.low, g.high) if len(parts) == 2 else (g.low, g.high)
            nums = [str(n) for n in sorted(g.articles) if a <= n <= b]
            self.reply(f"211 {len(g.articles)} {g.low} {g.high} {g.name} list follows", lines=nums)

    def do_LIST(self, arg):
        kw, _, pattern = arg.partition(" ")
        kw, pattern = kw.upper() or "ACTIVE", pattern.strip()
        if pattern and " " in pattern:
            raise _Syntax
        with self.store.lock:
            groups = [g for g in self.store.groups.values() if not pattern or wildmat(pattern, g.name)]
            if kw == "ACTIVE":
                return self.reply("215 list of newsgroups follows",
                                  lines=[f"{g.name} {g.high} {g.low} {g.status if self.lab.posting else 'n'}" for g in groups])
            if kw == "NEWSGROUPS":
                return self.reply("215 descriptions follow", lines=[f"{g.name}\t{g.description}" for g in groups])
        if kw == "OVERVIEW.FMT":
            from ..news.store import OVERVIEW_FMT

            return self.reply("215 order of fields in overview database", lines=OVERVIEW_FMT)
        if kw == "HEADERS":
            return self.reply("215 headers supported", lines=[":"])
        if kw in ("ACTIVE.TIMES", "DISTRIB.PATS", "SUBSCRIPTIONS"):
            return self.reply("503 no such list")
        raise _Syntax

    def do_NEWGROUPS(self, arg):
        parts = arg.split()
        if len(parts) not in (2, 3) or (len(parts) == 3 and parts[2].upper() != "GMT"):
            raise _Syntax
        when = _parse_when(parts[0], parts[1])
        with self.store.lock:
            groups = [g for g in self.store.groups.values() if g.created >= when]
            self.reply("231 list of new newsgroups follows",
                       lines=[f"{g.name} {g.high} {g.low} {g.status}" for g in groups])

    def do_NEWNEWS(self, arg):
        parts = arg.split()
        if len(parts) not in (3, 4) or (len(parts) == 4 and parts[3].upper() != "GMT"):
            raise _Syntax
        when = _parse_when(parts[1], parts[2])
        with self.store.lock:
            mids = [a.message_id for a in self.store.articles.values()
                    if a.posted >= when and any(wildmat(parts[0], g) for g in a.xref)]
        self.reply("230 list of new articles follows", lines=mids)

    # -- articles -------------------------------------------------------------------------
    def _article(self, arg):
        """(number, article) for ARTICLE/HEAD/BODY/STAT/OVER/HDR's argument,
        or a reply already sent (None)."""
        if arg.startswith("<"):
            if not _MSGID.match(arg):
                raise _Syntax
            a = self.store.get(arg)
            if a is None:
                self.reply("430 no article with that message-id")
                return None
            return (a.xref.get(self.group, 0), a)
        if self.group is None:
            self.reply("412 no newsgroup selected")
            return None
        if not arg:
            if self.current is None:
                self.reply("420 current article number is invalid")
                return None
            n = self.current
        else:
            if not arg.isdigit() or len(arg) > 15:
                raise _Syntax
            n = int(arg)
        a = self.store.in_group(self.group, n)
        if a is None:
            self.reply("423 no article with that number" if arg else "420 current article number is invalid")
            return None
        if arg:
            self.current = n
        return (n, a)

    def _send_article(self, arg, code, what):
        found = self._article(arg)
        if found is None:
            return
        n, a = found
        status = f"{code} {n} {a.message_id}"
        if what == "stat":
            return self.reply(status)
        data = {"article": a.raw, "head": a.head + b"\r\n", "body": a.body}[what]
        lines = data.split(b"\r\n")
        if data.endswith(b"\r\n"):
            lines = lines[:-1]
        self.reply(status, lines=lines)

    def do_ARTICLE(self, arg):
        self._send_article(arg, 220, "article")

    def do_HEAD(self, arg):
        self._send_article(arg, 221, "head")

    def do_BODY(self, arg):
        self._send_article(arg, 222, "body")

    def do_STAT(self, arg):
        self._send_article(arg, 223, "stat")

    def _step(self, direction):
        if self.group is None:
            return self.reply("412 no newsgroup selected")
        if self.current is None:
            return self.reply("420 current article number is invalid")
        nums = sorted(self.store.groups[self.group].articles)
        cand = [n for n in nums if (n > self.current if direction > 0 else n < self.current)]
        if not cand:
            return self.reply("421 no next article" if direction > 0 else "422 no previous article")
        self.current = cand[0] if direction > 0 else cand[-1]
        a = self.store.in_group(self.group, self.current)
        self.reply(f"223 {self.current} {a.message_id} article selected")

    def do_NEXT(self, arg):
        self._step(+1)

    def do_LAST(self, arg):
        self._step(-1)

    def _selection(self, arg):
        """Articles for OVER/HDR: a range, a message-id or the current one."""
        if arg.startswith("<"):
            found = self._article(arg)
            return None if found is None else [(0, found[1])]
        if self.group is None:
            self.reply("412 no newsgroup selected")
            return None
        if not arg:
            found = self._article("")
            return None if found is None else [found]
        g = self.store.groups[self.group]
        a, b = self._range(arg, g.low, g.high)
        with self.store.lock:
            sel = [(n, self.store.articles[g.articles[n]]) for n in sorted(g.articles) if a <= n <= b]
        if not sel:
            self.reply("423 no articles in that range")
            return None
        return sel

    def do_OVER(self, arg):
        from ..news.store import overview_line

        sel = self._selection(arg)
        if sel is None:
            return
        self.reply("224 overview information follows", lines=[overview_line(n, a) for n, a in sel])

    do_XOVER = do_OVER

    def do_HDR(self, arg):
        field, _, rest = arg.partition(" ")
        if not field:
            raise _Syntax
        sel = self._selection(rest.strip())
        if sel is None:
            return
        get = (lambda a: a.metadata(field)) if field.startswith(":") else (lambda a: a.header(field))
        from ..news.store import overview_field

        self.reply("225 headers follow", lines=[f"{n} {overview_field(get(a))}" for n, a in sel])

    def do_XHDR(self, arg):
        field, _, rest = arg.partition(" ")
        if not field:
            raise _Syntax
        sel = self._selection(rest.strip())
        if sel is None:
            return
        from ..news.store import overview_field

        self.reply("221 headers follow", lines=[f"{n} {overview_field(a.header(field)) or '(none)'}" for n, a in sel])

    # -- posting -------------------------------------------------------------------------
    def do_POST(self, arg):
        from ..news.store import NewsError

        if arg:
            raise _Syntax
        if not self.lab.posting:
            return self.reply("440 posting not permitted")
        self.reply("340 send article to be posted; end with <CR-LF>.<CR-LF>", log=False)
        limit = self.lab.max_post
        chunks, size, too_big, at_start = [], 0, False, True
        for _ in range(10_000_000):
            line = self.rfile.readline(self.max_line + 2)
            if not line:
                return "quit"
            if at_start:  # the terminator and dot-stuffing only count at the start of a line
                if line.rstrip(b"\r\n") == b"." and line.endswith(b"\n"):
                    break
                if line.startswith(b"."):  # RFC 3977 3.1.1: the initial dot is removed
                    line = line[1:]
            at_start = line.endswith(b"\n")  # an over-long line arrives in pieces
            size += len(line)
            if size > limit:
                too_big = True
                chunks = []
                continue
            chunks.append(line)
        self._t0 = time.perf_counter()
        if too_big:
            return self.reply(f"441 article too large (limit {limit} bytes)", "POST", detail=f"{size} bytes refused")
        try:
            a = self.store.post(b"".join(chunks), path_host=self.lab.hostname)
        except NewsError as e:
            return self.reply(f"441 posting failed: {e}", "POST", detail=str(e))
        groups = ",".join(a.xref)
        self.reply(f"240 article received {a.message_id}", "POST", detail=f"{a.message_id} -> {groups}")


def _clean(v: str) -> str:
    """A header value for an overview/HDR line: TAB, CR and LF become spaces."""
    return v.replace("\t", " ").replace("\r", " ").replace("\n", " ")


class NNTPLab(LineLab):
    kind = "nntp"
    scheme = "nntp"
    handler = NNTPHandler

    def __init__(self, store, *, posting=True, max_post=1 << 20, **kw):
        super().__init__(store, **kw)
        self.posting = bool(posting)
        self.max_post = int(max_post)

    def url_for(self, user=None, group=None) -> str:
        return super().url_for(user) + (f"/{group}" if group else "")

    def post(self, subject: str, body: str, groups="lab.general", from_: str = "lab@netbook.lab", **headers):
        """Post an article straight into the store (no socket): for seeding labs."""
        from ..news.client import build_article

        return self.store.post(build_article(subject, body, groups, from_, **headers), path_host=self.hostname)

    def to_frame(self):
        return self.store.to_frame()


def serve(groups=None, *, users=None, posting=True, name=None, host="127.0.0.1", port=0, path=None, store=None,
          max_post=1 << 20, tls=False, hostname="netbook.lab") -> NNTPLab:
    """Start netbook's NNTP server on 127.0.0.1 (a free port).

    ``groups={"lab.general": "General discussion"}`` creates newsgroups
    (a list or a comma-separated string of names works too);
    ``users={"alice": "pw"}`` requires AUTHINFO USER/PASS (without, anyone
    reads and posts); ``posting=False`` makes it read-only; ``path`` keeps
    articles in a directory across restarts; ``max_post`` bounds one POST
    (bytes); ``tls=True`` speaks NNTP over TLS from the first byte (``nntps://``)."""
    from ..news.store import NewsStore

    if isinstance(groups, str):  # "lab.general,lab.python" (as %serve nntp passes it)
        groups = [g.strip() for g in groups.split(",") if g.strip()]
    if isinstance(groups, (list, tuple)):
        groups = {g: "" for g in groups}
    if store is None:
        store = NewsStore(groups if groups is not None else {"lab.general": "General discussion"}, path, hostname=hostname)
    else:
        for g, d in (groups or {}).items():
            store.add_group(g, d)
    return NNTPLab(store, name=name, host=host, port=port, users=users, tls=tls, hostname=hostname,
                   posting=posting, max_post=max_post).start()
