"""``nb.telnet(url)``: a telnet client on the standard library's
``telnetlib.Telnet`` (``standard-telnetlib`` on 3.13+), observed.

telnetlib speaks the protocol (IAC escaping, option commands handed to a
callback); netbook answers the options the way a terminal would (DO ECHO,
DO SGA, WILL NAWS with a window size, WILL TTYPE with a terminal name,
refusing the rest), records each negotiation in ``.options`` and every
byte in ``.transcript`` (IAC sequences symbolic, the password masked).
"""
from __future__ import annotations

import re
import socket
import threading
import time
from datetime import datetime, timezone

from ..connection import Closing, parse
from ..errors import LoginError, NetworkError, ProtocolError, TelnetTimeout
from ..interpolate import check_line
from ..transcript import trace_socket
from .iac import OPTIONS, describe_sb
from .transcript import TelnetTranscript

__all__ = ["LoginError", "Negotiation", "TelnetClient", "TelnetTimeout", "telnet"]

_T = None


def _telnetlib():
    global _T
    if _T is None:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            import telnetlib
        _T = telnetlib
    return _T


_NAMES = {251: "WILL", 252: "WONT", 253: "DO", 254: "DONT"}


class Negotiation:
    """The option negotiation of one connection, as rows: time, direction
    ("server"/"client": who sent it), command, option, detail."""

    def __init__(self):
        self.rows: list[tuple] = []
        self._lock = threading.Lock()

    def add(self, direction: str, command: str, option: str, detail: str = "") -> None:
        with self._lock:
            self.rows.append((datetime.now(timezone.utc), direction, command, option, detail))

    def to_frame(self):
        import pandas as pd

        df = pd.DataFrame(self.rows, columns=["time", "direction", "command", "option", "detail"])
        df["time"] = pd.to_datetime(df["time"], utc=True)
        return df

    def enabled(self) -> dict:
        """Option -> who does it now ("server", "client", "both"), from the
        agreed WILL/DO pairs."""
        state: dict[tuple, bool] = {}
        for _, d, cmd, opt, _ in self.rows:
            if cmd in ("WILL", "WONT"):
                state[(d, opt, "offer")] = cmd == "WILL"
            elif cmd in ("DO", "DONT"):
                state[("server" if d == "client" else "client", opt, "ask")] = cmd == "DO"
        out: dict[str, str] = {}
        for (side, opt, kind), on in state.items():
            if kind == "offer" and on and state.get((side, opt, "ask")):
                out[opt] = "both" if opt in out else side
        return out

    def __len__(self):
        return len(self.rows)

    def __iter__(self):
        return iter(self.rows)

    def __repr__(self):
        lines = [f"{d:6} {c} {o}{(' ' + x) if x else ''}" for _, d, c, o, x in self.rows]
        return "Negotiation (%d commands)\n" % len(self.rows) + "\n".join(lines)

    def _repr_mimebundle_(self, include=None, exclude=None):
        from ..table import Table

        return Table(self.to_frame(), title="telnet negotiation")._repr_mimebundle_(include=include, exclude=exclude)


def _split_url(url):
    """(host, port, user, password) of ``telnet://[user[:pw]@]host[:port]``,
    a telnet lab server, or None (the running one)."""
    u = parse(url, ("telnet",), what="a telnet")
    return u.host, u.port, u.user, u.password


def _bytes_rx(p) -> "re.Pattern[bytes]":
    """telnetlib matches bytes: a str regex (or compiled one) becomes a bytes one."""
    if isinstance(p, re.Pattern):
        return p if isinstance(p.pattern, bytes) else re.compile(p.pattern.encode("utf-8"), p.flags & ~re.UNICODE)
    return re.compile(p if isinstance(p, bytes) else p.encode("utf-8"))


class TelnetClient(Closing):
    """A telnet connection (see :func:`telnet`)."""

    def __init__(self, host: str, port: int = 23, *, user: str | None = None, timeout: float = 5.0,
                 window=(80, 24), term: str = "NETBOOK", accept=("ECHO", "SGA", "NAWS", "TTYPE", "BINARY")):
        tl = _telnetlib()
        self.host, self.port, self.user, self.timeout = host, int(port), user, float(timeout)
        self.window, self.term = window, check_line(term, "terminal type")
        self.accept = {a.upper() for a in accept}
        self.options = Negotiation()
        self.transcript = TelnetTranscript(title=f"telnet {host}:{port}", peer=f"{host}:{port}")
        self.received = ""  # everything read, as text (for .to_frame and scripts)
        self.steps: list[tuple] = []
        self._tn = tl.Telnet()
        self._tn.set_option_negotiation_callback(self._on_option)
        self._state: dict[tuple, bool] = {}
        try:
            raw = socket.create_connection((host, self.port), timeout=self.timeout)
        except OSError as e:
            raise NetworkError(f"telnet {host}:{port}: {e.strerror or e}") from e
        self._tn.host, self._tn.port, self._tn.timeout = host, self.port, self.timeout
        self._tn.sock = trace_socket(raw, self.transcript, side="client")

    # -- option negotiation (telnetlib calls this for every IAC command) ------------
    def _send_cmd(self, verb: int, opt: int, payload: bytes | None = None):
        tl = _telnetlib()
        name = OPTIONS.get(opt, str(opt))
        if payload is None:
            self.options.add("client", _NAMES[verb], name)
            self._tn.sock.sendall(tl.IAC + bytes([verb, opt]))
        else:
            self.options.add("client", "SB", name, describe_sb(opt, payload))
            self._tn.sock.sendall(tl.IAC + tl.SB + bytes([opt]) + payload.replace(b"\xff", b"\xff\xff") + tl.IAC + tl.SE)

    def _naws(self) -> bytes:
        w, h = self.window
        return bytes([(w >> 8) & 255, w & 255, (h >> 8) & 255, h & 255])

    def _on_option(self, sock, cmd: bytes, opt: bytes):
        tl = _telnetlib()
        if cmd == tl.SE:
            data = self._tn.read_sb_data()
            if not data:
                return
            o, payload = data[0], data[1:]
            name = OPTIONS.get(o, str(o))
            self.options.add("server", "SB", name, describe_sb(o, payload))
            if o == 24 and payload[:1] == b"\x01":  # TTYPE SEND -> IS term
                self._send_cmd(250, 24, b"\x00" + self.term.encode("ascii", "replace"))
            return
        if cmd == tl.SB:
            return  # recorded whole when its SE arrives
        if cmd[0] not in _NAMES:
            self.options.add("server", {241: "NOP", 242: "DM", 243: "BRK", 244: "IP", 245: "AO", 246: "AYT", 247: "EC",
                                        248: "EL", 249: "GA", 250: "SB"}.get(cmd[0], str(cmd[0])), "")
            return
        c, o = cmd[0], opt[0]
        name = OPTIONS.get(o, str(o))
        self.options.add("server", _NAMES.get(c, str(c)), name)
        ok = name in self.accept
        if c == 251:  # WILL: the server offers to do it
            want = ok and name in ("ECHO", "SGA", "BINARY")
            if self._state.get(("remote", o)) != want:
                self._state[("remote", o)] = want
                self._send_cmd(253 if want else 254, o)
        elif c == 252:  # WONT
            if self._state.get(("remote", o)) is not False:
                self._state[("remote", o)] = False
                self._send_cmd(254, o)
        elif c == 253:  # DO: the server asks us to do it
            want = ok and name in ("NAWS", "TTYPE", "SGA", "BINARY")
            if self._state.get(("local", o)) != want:
                self._state[("local", o)] = want
                self._send_cmd(251 if want else 252, o)
            if want and name == "NAWS":
                self._send_cmd(250, 31, self._naws())
        elif c == 254:  # DONT
            if self._state.get(("local", o)) is not False:
                self._state[("local", o)] = False
                self._send_cmd(252, o)

    # -- talking ----------------------------------------------------------------------------
    def _got(self, data: bytes) -> str:
        text = data.decode("utf-8", "replace")
        self.received += text
        if len(self.received) > 1 << 20:
            self.received = self.received[-(1 << 19):]
        return text

    def send(self, line: str, *, secret: bool = False) -> None:
        """Send one line (CR LF added).  A CR, LF or NUL inside it is refused:
        it would split it into several commands."""
        if not isinstance(line, str):
            raise TypeError("send() takes a str line")
        check_line(line, "telnet line")
        if secret:
            self.transcript.add_secret(line)
        try:
            self._tn.write(line.encode("utf-8") + b"\r\n")  # telnetlib doubles any IAC byte
        except OSError as e:
            raise NetworkError(f"telnet {self.host}:{self.port}: {e}") from e

    def send_raw(self, data: bytes) -> None:
        """Send bytes as they are (IAC not escaped): for protocol experiments."""
        self._tn.sock.sendall(data)

    def read_until(self, text: str, timeout: float | None = None) -> str:
        """Read until ``text`` arrives; returns everything read (with it).
        Raises TelnetTimeout (with the tail of what came) if it does not."""
        want = text.encode("utf-8")
        try:
            data = self._tn.read_until(want, self.timeout if timeout is None else timeout)
        except EOFError:
            raise ProtocolError(f"telnet {self.host}:{self.port}: connection closed before {text!r}") from None
        got = self._got(data)
        if not data.endswith(want):
            raise TelnetTimeout(f"no {text!r} within {self.timeout if timeout is None else timeout} s; last: {got[-60:]!r}")
        return got

    def expect(self, patterns, timeout: float | None = None):
        """Wait for the first of ``patterns`` (regexes); returns (index,
        match, text read)."""
        if isinstance(patterns, (str, bytes, re.Pattern)):
            patterns = [patterns]
        rx = [_bytes_rx(p) for p in patterns]
        try:
            i, m, data = self._tn.expect(rx, self.timeout if timeout is None else timeout)
        except EOFError:
            raise ProtocolError(f"telnet {self.host}:{self.port}: connection closed while waiting") from None
        got = self._got(data)
        if i < 0:
            raise TelnetTimeout(f"none of {[p.pattern.decode() for p in rx]} within "
                                f"{self.timeout if timeout is None else timeout} s; last: {got[-60:]!r}")
        return i, m, got

    def read(self, timeout: float = 0.3) -> str:
        """What arrives until ``timeout`` passes quietly (bounded)."""
        out = []
        deadline = time.monotonic() + max(timeout * 20, 5)
        while time.monotonic() < deadline:
            try:
                data = self._tn.read_until(b"\0\xff never \xff\0", timeout)
            except EOFError:
                break
            if not data:
                break
            out.append(self._got(data))
        return "".join(out)

    def ask(self, line: str, until: str | None = None, timeout: float | None = None) -> str:
        """Send a line and return the answer (until ``until``, or until quiet)."""
        self.send(line)
        return self.read_until(until, timeout) if until else self.read(timeout or 0.3)

    def login(self, user: str | None = None, password: str | None = None, *, prompt: str = r"[$#>] ?$",
              timeout: float | None = None) -> str:
        """Answer ``login:`` and ``Password:``; returns what came after.
        Raises LoginError on "incorrect"/"failed"/another login prompt."""
        user = user or self.user
        if not user:
            raise ValueError("login() needs a user (or telnet://user@host in the URL)")
        check_line(user, "user")
        if password is not None:
            check_line(password, "password")
        self.expect([r"(?i)login:\s*$|username:\s*$"], timeout)
        self.send(user)
        if password is not None:
            self.expect([r"(?i)password:\s*$"], timeout)
            self.send(password, secret=True)
        i, m, got = self.expect([r"(?i)incorrect|failed|denied|invalid", prompt,
                                 r"(?i)login:\s*$"], timeout)
        self.user = user
        if i != 1:
            raise LoginError(f"telnet {self.host}:{self.port}: login refused for {user!r}")
        return got

    def script(self, steps, timeout: float | None = None):
        """Run expect/send pairs: ``[(regex_or_None, line_or_None), ...]``.
        Returns a DataFrame (step, expect, send, received).  A step whose
        expectation does not come raises TelnetTimeout."""
        import pandas as pd

        rows = []
        for n, step in enumerate(steps, 1):
            expect, send = (step + (None,))[:2] if isinstance(step, tuple) else (step, None)
            got = ""
            if expect:
                _, _, got = self.expect([expect], timeout)
            if send is not None:
                self.send(send)
            rows.append((n, expect or "", send if send is not None else "", got))
            self.steps.append(rows[-1])
        if rows and rows[-1][2] != "":
            last = self.read(0.3)
            rows.append((len(rows) + 1, "", "", last))
        return pd.DataFrame(rows, columns=["step", "expect", "send", "received"])

    def close(self) -> None:
        try:
            self._tn.close()
        except OSError:
            pass

    # -- presenting ---------------------------------------------------------------------------
    def to_frame(self, reveal: bool = False):
        """The transcript, one row per line (IAC symbolic, the password masked)."""
        return self.transcript.to_frame(reveal=reveal)

    def __repr__(self):
        who = f"{self.user}@" if self.user else ""
        state = "closed" if self._tn.sock is None or self._tn.eof else "open"
        en = ", ".join(f"{k} by {v}" for k, v in sorted(self.options.enabled().items())) or "none"
        return f"<telnet {who}{self.host}:{self.port} {state}; options: {en}; {len(self.options)} negotiation commands>"

    def _header_html(self) -> str:
        """A header line: who and where, a state badge, the options in force."""
        from ..table.static import escape

        who = f"{self.user}@" if self.user else ""
        closed = self._tn.sock is None or self._tn.eof
        state, color = ("closed", "#6b7280") if closed else ("open", "#15803d")
        chips = "".join(
            f"<span style='border:1px solid #ccc;border-radius:8px;padding:0 6px;margin-right:4px'>"
            f"{escape(k)} <span style='color:#666'>by {escape(v)}</span></span>"
            for k, v in sorted(self.options.enabled().items())
        ) or "<span style='color:#666'>none</span>"
        return (
            f"<div class='netbook-telnet' style='font-size:13px;margin:2px 0'>"
            f"<span style='background:{color};color:white;padding:1px 8px;border-radius:8px;font-weight:bold'>{state}</span> "
            f"<b>telnet</b> <span style='font-family:monospace'>{escape(who)}{escape(self.host)}:{int(self.port)}</span>"
            f"<span style='color:#666'> · options in force:</span> {chips}"
            f"<span style='color:#666'> · {len(self.options)} negotiation commands</span></div>"
        )

    def _repr_mimebundle_(self, include=None, exclude=None):
        import ipywidgets as w

        from ..table import Table
        from ..table.widget import merge_bundle

        head = self._header_html()
        opts = Table(self.options.to_frame(), title="negotiation")
        tr = self.transcript.table()
        diagram = w.HTML(self.transcript.diagram().html())
        view = w.VBox([w.HTML(head), w.Tab(children=[tr, opts, diagram], titles=("transcript", "negotiation", "diagram"))])
        return merge_bundle(view._repr_mimebundle_(include=include, exclude=exclude), repr(self),
                            head + tr.static_html() + opts.static_html())


def telnet(url=None, password: str | None = None, *, timeout: float = 5.0, window=(80, 24), term: str = "NETBOOK",
           login: bool | None = None) -> TelnetClient:
    """Connect to ``telnet://[user@]host[:port]`` (or a telnet lab server;
    None: the running one).  With a user in the URL
    and a ``password``, log in (answering ``login:`` and ``Password:``).
    The password is never shown in any repr, table or transcript."""
    host, port, user, url_pw = _split_url(url)
    if url_pw is not None and password is None:
        password = url_pw
    c = TelnetClient(host, port, user=user, timeout=timeout, window=window, term=term)
    if login if login is not None else (user is not None and password is not None):
        try:
            c.login(user, password)
        except Exception:
            c.close()
            raise
    return c
