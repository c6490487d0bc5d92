"""Transcript → Ladder: one arrow per protocol line or turn, per protocol.

The rows come from ``transcript.lines()``, so secrets are masked exactly as
in the transcript.  Line protocols (SMTP, POP3, IMAP, FTP, NNTP) get one
arrow per command and per reply (multi-line replies as one arrow, message
bodies as one arrow with a size); HTTP one arrow per message head and one
per body, a lane per host (and per proxy); telnet one arrow per named
option command; FTP data connections their own lane.
"""
from __future__ import annotations

import re
from datetime import datetime

from ..table.static import human_size
from ..transcript import CLIENT, SERVER
from .model import Arrow, Ladder, Mark

__all__ = ["build", "detect"]

MAX_DETAIL_LINES = 24
_REQUEST_LINE = re.compile(r"^([A-Z][A-Z-]{1,15}) (\S+) HTTP/\d(?:\.\d)?$")
_STATUS_LINE = re.compile(r"^HTTP/\d(?:\.\d)? (\d{3})\b")
_CODE = re.compile(r"^(\d{3})([ -]|$)")
_IAC = re.compile(r"<IAC ([^<>]*(?:<[^<>]*>[^<>]*)*)>")
_LITERAL = re.compile(r"\{(\d+)\+?\}$")
_TLS_CMDS = {"STARTTLS", "STLS", "AUTH TLS", "AUTH SSL"}


def detect(transcript, rows) -> str:
    """The protocol a transcript speaks: by its class, else by its first lines."""
    cls = type(transcript).__name__
    if cls == "FTPTranscript":
        return "ftp"
    if cls == "TelnetTranscript":
        return "telnet"
    first_server = next((t for _, d, t, _ in rows if d == SERVER and t.strip()), "")
    first_client = next((t for _, d, t, _ in rows if d == CLIENT and t.strip()), "")
    if _REQUEST_LINE.match(first_client) or first_server.startswith("HTTP/"):
        return "http"
    if first_server.startswith(("+OK", "-ERR")):
        return "pop3"
    if first_server.startswith(("* OK", "* PREAUTH")):
        return "imap"
    m = _CODE.match(first_server)
    if m:
        low = first_server.lower()
        if m.group(1) in ("200", "201") and ("nntp" in low or "news" in low or "posting" in low):
            return "nntp"
        if "ftp" in low:
            return "ftp"
        if m.group(1) in ("200", "201"):
            return "nntp"
        return "smtp"
    return "lines"


def _seconds(rows) -> list[float]:
    if not rows:
        return []
    t0 = rows[0][0]
    return [(r[0] - t0).total_seconds() if isinstance(r[0], datetime) else float(r[0] - t0) for r in rows]


def _detail(lines: list[str]) -> str:
    more = len(lines) - MAX_DETAIL_LINES
    return "\n".join(lines[:MAX_DETAIL_LINES]) + (f"\n… {more:,} more lines" if more > 0 else "")


def _turns(rows):
    """Consecutive rows of one direction: (t, direction, [(text, nbytes)])."""
    times = _seconds(rows)
    out = []
    last = None
    for t, (_, d, text, n) in zip(times, rows):
        key = (d, text.startswith("[data] "))  # an FTP data-connection row is a turn of its own
        if out and last == key:
            out[-1][2].append((text, n))
        else:
            out.append((t, d, [(text, n)]))
        last = key
    return out


class _Builder:
    def __init__(self, ladder: Ladder):
        self.l = ladder

    def arrow(self, t, direction, label, nbytes=0, kind=None, detail="", src=None, dst=None, via=None) -> int:
        c, s = 0, 1
        if src is None:
            src, dst = (c, s) if direction == CLIENT else (s, c)
        kind = kind or ("command" if direction == CLIENT else "reply")
        self.l.arrows.append(Arrow(t, src, dst, label, nbytes, kind, detail, via=via))
        return len(self.l.arrows) - 1

    def mark(self, text, kind="tls"):
        self.l.marks.append(Mark(len(self.l.arrows), text, kind))

    def body(self, t, direction, lines, what="body", src=None, dst=None, via=None):
        n = sum(b for _, b in lines)
        label = f"{what} · {len(lines):,} line{'s' if len(lines) != 1 else ''}, {human_size(n)}"
        return self.arrow(t, direction, label, n, "body", _detail([x for x, _ in lines]), src, dst, via)


# ---- line protocols: SMTP, POP3, NNTP, FTP --------------------------------------------------------------

def _coded_error(text: str) -> bool:
    m = _CODE.match(text)
    return m is not None and m.group(1)[0] in "45"


def _line_protocol(ladder: Ladder, rows, proto: str) -> None:
    b = _Builder(ladder)
    last_cmd = ""
    in_data = False  # SMTP DATA / NNTP POST: the client's next turn is a message
    auth_pending = None  # the auth command whose answer we wait for
    tls_pending = False
    data_lane = None
    if proto == "ftp":
        rows = _ftp_order(rows)
        if any(r[2].startswith("[data] ") for r in rows):
            data_lane = len(ladder.lanes)
            ladder.lanes.append("server data")
    for t, d, lines in _turns(rows):
        if proto == "ftp" and any(x.startswith("[data] ") for x, _ in lines):
            rest = []
            for text, n in lines:
                if text.startswith("[data] "):
                    _ftp_data(b, (t, d, text, n), data_lane)
                else:
                    rest.append((text, n))
            if not rest:
                continue
            lines = rest
        if d == CLIENT:
            if in_data:
                b.body(t, d, lines, "message" if proto == "smtp" else "article")
                in_data = False
                continue
            for text, n in lines:
                up = text.strip().upper()
                kind = "command"
                if auth_pending is not None and up and not _is_cmd(up, proto):
                    kind = "continuation"
                if up.startswith(("AUTH ", "AUTHINFO", "PASS", "APOP")) and up not in _TLS_CMDS:
                    kind = "auth"  # carries a credential (masked)
                b.arrow(t, d, text, n, kind)
                m = re.match(r"PORT \d+,\d+,\d+,\d+,(\d+),(\d+)$", up) if proto == "ftp" else None
                if m:
                    b.mark(f"active: the server will connect back to port {int(m.group(1)) * 256 + int(m.group(2))}", "note")
                last_cmd = up
                if up in _TLS_CMDS:
                    tls_pending = True
                if up.startswith(("AUTH ", "AUTHINFO", "PASS", "APOP")) and up not in _TLS_CMDS:
                    auth_pending = up.split()[0]
                if up.startswith("USER ") and proto in ("pop3", "ftp"):
                    auth_pending = "USER"
            continue
        # server turn: one reply (multi-line replies joined), then any body
        i = 0
        while i < len(lines):
            text, n = lines[i]
            group = [(text, n)]
            if proto in ("smtp", "ftp"):
                m = _CODE.match(text)
                while m and m.group(2) == "-" and i + 1 < len(lines):
                    i += 1
                    group.append(lines[i])
                    if _CODE.match(lines[i][0]) and lines[i][0][3:4] == " ":
                        break
            i += 1
            nbytes = sum(x for _, x in group)
            label = text if len(group) == 1 else f"{text} (+{len(group) - 1} lines)"
            error = text.startswith("-ERR") or _coded_error(text)
            kind = "error" if error else ("continuation" if text.startswith(("334", "+ ")) or text == "+" else "reply")
            b.arrow(t, d, label, nbytes, kind, _detail([x for x, _ in group]) if len(group) > 1 else "")
            code = text[:3]
            if proto in ("pop3", "nntp") and i < len(lines):
                rest = lines[i:]
                what = "message" if last_cmd.startswith(("RETR", "TOP", "ARTICLE", "BODY", "HEAD")) else "listing"
                b.body(t, d, rest, what)
                i = len(lines)
            if proto == "smtp" and code == "354" or proto == "nntp" and code == "340":
                in_data = True
            if tls_pending:
                tls_pending = False
                if not error:
                    b.mark("TLS starts", "tls")
            if auth_pending is not None and kind != "continuation":
                ok = not error
                if auth_pending == "USER" and ok and (code == "331" or text.startswith("+OK")):
                    pass  # the password is still to come
                else:
                    b.mark("authenticated" if ok else "authentication failed", "auth" if ok else "autherror")
                    auth_pending = None
            if proto == "ftp" and code == "227":
                m = re.search(r"\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)", text)
                if m:
                    b.mark(f"passive: data connection to port {int(m.group(5)) * 256 + int(m.group(6))}", "note")


def _ftp_order(rows):
    """A data connection's summary row is recorded when the transfer ends
    (after the 226); draw it right after the 150/125 that opened it."""
    out = []
    opened = None  # index in out just after the last 150/125 reply
    for r in rows:
        if r[2].startswith("[data] ") and opened is not None:
            out.insert(opened, r)
            opened = None
            continue
        out.append(r)
        if r[1] == SERVER and r[2][:3] in ("150", "125"):
            opened = len(out)
    return out


def _is_cmd(up: str, proto: str) -> bool:
    word = up.split(" ", 1)[0]
    return word.isalpha() and word in {"QUIT", "RSET", "NOOP", "HELO", "EHLO", "MAIL", "RCPT", "DATA", "USER", "LIST"}


def _ftp_data(b: _Builder, item, lane) -> None:
    t, d, text, n = item
    body = text[len("[data] "):]
    verb = body.split(":", 1)[0].split(" ", 1)[0]
    mode = " (passive)" if ", passive," in body else " (active)" if ", active," in body else ""
    label = f"data {verb} · {human_size(n)}"
    src, dst = (0, lane) if d == CLIENT else (lane, 0)
    b.arrow(t, d, label, n, "data", body + mode + "\n(its time is when the transfer ended)", src, dst)


# ---- IMAP -------------------------------------------------------------------------------------------------

def _imap(ladder: Ladder, rows) -> None:
    b = _Builder(ladder)
    tags: dict[str, tuple[int, str]] = {}  # tag -> (arrow index, command)
    auth_tags = set()
    tls_tags = set()
    for t, d, lines in _turns(rows):
        if d == CLIENT:
            for text, n in lines:
                parts = text.split(" ", 2)
                cmd = parts[1].upper() if len(parts) > 1 else ""
                if cmd == "UID" and len(parts) > 2:
                    cmd = "UID " + parts[2].split(" ", 1)[0].upper()
                if len(parts) > 1 and parts[0] and parts[0] not in ("*", "+") and cmd.replace("UID ", "").isalpha():
                    i = b.arrow(t, d, text, n, "auth" if cmd in ("LOGIN", "AUTHENTICATE") else "command")
                    tags[parts[0]] = (i, cmd)
                    if cmd in ("LOGIN", "AUTHENTICATE"):
                        auth_tags.add(parts[0])
                    if cmd == "STARTTLS":
                        tls_tags.add(parts[0])
                else:
                    b.arrow(t, d, text, n, "continuation")
            continue
        i = 0
        while i < len(lines):
            text, n = lines[i]
            i += 1
            parts = text.split(" ", 2)
            tag = parts[0]
            status = parts[1].upper() if len(parts) > 1 else ""
            m = _LITERAL.search(text)
            if tag == "*":
                kind = "error" if status in ("NO", "BAD", "BYE") and not text.startswith("* BYE") else "reply"
                b.arrow(t, d, text, n, kind)
                if m:  # a literal follows: its lines (up to the size) are one body arrow
                    need, body = int(m.group(1)), []
                    while i < len(lines) and need > 0:
                        body.append(lines[i])
                        need -= lines[i][1]
                        i += 1
                    if i < len(lines) and not lines[i][0].startswith(("* ", "+")) and lines[i][0].lstrip().endswith(")") \
                            and lines[i][0].split(" ", 1)[0] not in tags:
                        body.append(lines[i])  # the rest of the FETCH response after the literal
                        i += 1
                    b.body(t, d, body, "literal")
            elif tag == "+":
                b.arrow(t, d, text, n, "continuation")
            elif tag in tags and status in ("OK", "NO", "BAD"):
                idx, cmd = tags.pop(tag)
                error = status != "OK"
                a = b.arrow(t, d, text, n, "error" if error else "reply",
                            f"completes {ladder.arrows[idx].label[:60]} (+{(t - ladder.arrows[idx].t) * 1000:,.1f} ms)")
                ladder.arrows[a].pair = idx
                if tag in auth_tags:
                    b.mark("authenticated" if not error else "authentication failed", "autherror" if error else "auth")
                if tag in tls_tags and not error:
                    b.mark("TLS starts", "tls")
            else:
                b.arrow(t, d, text, n, "reply")


# ---- HTTP (and XML-RPC over it) ---------------------------------------------------------------------------

def _http(ladder: Ladder, rows, proxy: str = "") -> None:
    """Messages: head (start line + headers) as one arrow, body as another.
    Lanes: client, [proxy], then one per host in order of appearance."""
    b = _Builder(ladder)
    lanes = ladder.lanes
    del lanes[1:]
    proxy_lane = None
    if proxy or any(d == CLIENT and text.startswith("CONNECT ") for _, d, text, _ in rows):
        lanes.append("proxy " + proxy.split("://", 1)[-1].rpartition("@")[2].rstrip("/") if proxy else "proxy")
        proxy_lane = 1
    host_lane: dict[str, int] = {}
    cur = None  # the lane the current request went to
    last_method = ""
    connect_to = ""  # the origin a CONNECT asked the proxy for

    def lane_for(key: str) -> int:
        if key not in host_lane:
            host_lane[key] = len(lanes)
            lanes.append(key)
        return host_lane[key]

    for t, d, lines in _turns(rows):
        msgs: list[tuple[list, list, bool]] = []  # (head lines, body lines, head complete)
        for text, n in lines:
            start = (_REQUEST_LINE.match(text) if d == CLIENT else _STATUS_LINE.match(text))
            if start and (not msgs or msgs[-1][2]):
                msgs.append(([(text, n)], [], False))
            elif not msgs:
                msgs.append(([], [(text, n)], True))
            elif not msgs[-1][2]:
                if text == "":
                    msgs[-1] = (msgs[-1][0], msgs[-1][1], True)
                else:
                    msgs[-1][0].append((text, n))
            else:
                msgs[-1][1].append((text, n))
        for head, body, _ in msgs:
            if d == CLIENT:
                if head:
                    m = _REQUEST_LINE.match(head[0][0])
                    method, target = (m.group(1), m.group(2)) if m else ("", "")
                    host = next((h.split(":", 1)[1].strip() for h, _ in head[1:] if h.lower().startswith("host:")), "")
                    if method == "CONNECT" and proxy_lane is not None:
                        cur = proxy_lane
                        connect_to = target
                    else:
                        if "://" in target:
                            host = target.split("://", 1)[1].split("/", 1)[0].rpartition("@")[2]
                        cur = lane_for(host or "server")
                    last_method = method
                    kind = "auth" if any(h.lower().startswith(("authorization:", "proxy-authorization:"))
                                         for h, _ in head) else "command"
                    b.arrow(t, d, head[0][0], sum(x for _, x in head) + 2, kind,
                            _detail([x for x, _ in head]), 0, cur, _via(cur, proxy_lane))
                if body:
                    dst = cur if cur is not None else 1
                    b.body(t, d, body, _xmlrpc_label(body, True) or "request body", 0, dst, _via(dst, proxy_lane))
            else:
                src = cur if cur is not None else 1
                if head:
                    m = _STATUS_LINE.match(head[0][0])
                    code = int(m.group(1)) if m else 0
                    kind = "error" if code >= 400 else "reply"
                    b.arrow(t, d, head[0][0], sum(x for _, x in head) + 2, kind, _detail([x for x, _ in head]), src, 0,
                            _via(src, proxy_lane))
                    if 300 <= code < 400:
                        loc = next((h.split(":", 1)[1].strip() for h, _ in head[1:] if h.lower().startswith("location:")), "")
                        if loc:
                            b.mark(f"redirect → {loc}", "note")
                    if last_method == "CONNECT" and 200 <= code < 300:
                        b.mark(f"tunnel to {connect_to} open: TLS end to end through the proxy", "tls")
                        cur = lane_for(connect_to or "origin")  # what follows goes to the origin, relayed
                if body:
                    label = _xmlrpc_label(body, False) or "body"
                    b.body(t, d, body, label, src, 0, _via(src, proxy_lane))
                    if label.startswith("XML-RPC fault"):
                        ladder.arrows[-1].kind = "error"


def _via(lane, proxy_lane):
    """Messages to an origin through a proxy pass the proxy's lane (drawn as a dot there)."""
    return proxy_lane if proxy_lane is not None and lane is not None and lane != proxy_lane else None


def _xmlrpc_label(body, request: bool) -> str:
    text = "".join(x for x, _ in body[:200])
    if request:
        m = re.search(r"<methodName>([^<]{1,80})</methodName>", text)
        return f"XML-RPC call {m.group(1)}" if m else ""
    if "<methodResponse>" in text:
        return "XML-RPC fault" if "<fault>" in text else "XML-RPC result"
    return ""


# ---- telnet ---------------------------------------------------------------------------------------------

def _telnet(ladder: Ladder, rows) -> None:
    b = _Builder(ladder)
    for t, d, lines in _turns(rows):
        for text, n in lines:
            cmds = _IAC.findall(text)
            if cmds and _IAC.sub("", text).strip() == "":
                for c in cmds:
                    b.arrow(t, d, c.replace(" IAC SE", ""), 0, "option", f"<IAC {c}>")
            else:
                b.arrow(t, d, text, n, "command" if d == CLIENT else "reply")
                if d == SERVER and re.search(r"(?:password|passphrase|passcode)\s*:\s*$", text, re.IGNORECASE):
                    b.mark("password prompt: the next line is masked", "auth")


def _lines(ladder: Ladder, rows) -> None:
    b = _Builder(ladder)
    for t, d, lines in _turns(rows):
        for text, n in lines:
            b.arrow(t, d, text, n)


# ---- entry point ----------------------------------------------------------------------------------------

def build(transcript, reveal: bool = False, protocol: str | None = None, proxy: str = "") -> Ladder:
    """A Ladder of ``transcript`` (``protocol``: http smtp pop3 imap ftp nntp telnet lines; guessed
    when None).  ``proxy``: an HTTP proxy the client went through (a lane of its own)."""
    rows = list(transcript.lines(reveal=reveal))
    proto = protocol or detect(transcript, rows)
    title = getattr(transcript, "title", "") or "transcript"
    ladder = Ladder(title=title, lanes=["client", "server"],
                    protocol=proto, truncated=bool(getattr(transcript, "truncated", False)))
    if proto == "http":
        if title.split(" ", 1)[-1].startswith("https:") and not proxy:
            ladder.marks.append(Mark(0, "TLS (https)", "tls"))
        _http(ladder, rows, proxy=proxy)
    elif proto == "imap":
        _imap(ladder, rows)
    elif proto in ("smtp", "pop3", "ftp", "nntp"):
        _line_protocol(ladder, rows, proto)
    elif proto == "telnet":
        _telnet(ladder, rows)
    else:
        _lines(ladder, rows)
    return ladder
