"""``serve.telnet(app)``: a telnet lab server on telnetlib3 (RFC 854).

telnetlib3 (a maintained asyncio telnet library) speaks the protocol: it
answers option negotiation, keeps the option state and runs subnegotiation
(NAWS, TTYPE, LINEMODE) with bounded buffers.  netbook runs its event loop
in a background thread and adds what a lab needs: the options it asks for
(``options=``), one log row per negotiation and per line (written before the
reply), transcripts with IAC shown symbolically and the password masked,
bounded lines, sessions and commands, and the apps:

- ``"echo"``: every line comes back;
- ``"chat"``: a line chat between everyone connected (``/nick NAME``,
  ``/who``, ``/quit``);
- ``"menu"``: a small shell for labs (``help``, ``date``, ``whoami``,
  ``options``, ``quit``), behind a ``login:``/``Password:`` prompt when
  ``users={"alice": "pw"}`` is given;
- a callable ``(line, session) -> reply`` (str, or None for no reply) for
  custom labs; ``session.close()`` ends the session.
"""
from __future__ import annotations

import asyncio
import hmac
import threading
from datetime import datetime, timezone

from ..telnet.iac import BY_NAME, IACParser, describe_sb
from ..telnet.transcript import TelnetTranscript
from . import liblog
from .base import LabServer, timer

liblog.install()  # telnetlib3's log lines go to the lab's log

__all__ = ["DEFAULT_OPTIONS", "TelnetLab", "TelnetSession", "serve"]

# What the server asks for when it starts a session.  Login-style apps
# ("menu", or any app with users=) take over echoing (WILL ECHO) and
# suppress go-ahead (WILL SGA): "character at a time" mode, so a password
# is never echoed.  Line-style apps leave echo to the client.
DEFAULT_OPTIONS = {"echo": False, "sga": True, "naws": True, "ttype": True, "linemode": False}
_LOGIN_STYLE = {"echo": True, "sga": True}

_OPT_BYTES = {"echo": ("WILL", 1), "sga": ("WILL", 3), "naws": ("DO", 31), "ttype": ("DO", 24), "linemode": ("DO", 34),
              "binary": ("WILL", 0)}


class TooManyCommands(Exception):
    pass


class TelnetSession:
    """One connected client: what was negotiated and who is logged in.

    ``term``, ``cols``, ``rows`` come from TTYPE and NAWS; ``options`` is the
    option state as the server sees it (``{"ECHO": "server", ...}``);
    ``data`` is a dict for a custom app's own state.
    """

    def __init__(self, lab: "TelnetLab", peer: str, protocol):
        self.lab = lab
        self.peer = peer
        self.user: str | None = None
        self.term: str | None = None
        self.cols: int | None = None
        self.rows: int | None = None
        self.nick = ""
        self.lines = 0
        self.commands = 0
        self.data: dict = {}
        self.started = datetime.now(timezone.utc)
        self._protocol = protocol
        self.closed = False
        self._in_app = False

    @property
    def options(self) -> dict:
        """Option name -> "server" (the server does it), "client", or "both"."""
        w = getattr(self._protocol, "writer", None)
        out: dict[str, str] = {}
        if w is None:
            return out
        from ..telnet.iac import option_name

        for side, table in (("server", w.local_option), ("client", w.remote_option)):
            for opt, on in table.items():
                if on:
                    name = option_name(opt[0] if isinstance(opt, (bytes, bytearray)) else opt)
                    out[name] = "both" if name in out else side
        return out

    @property
    def echoing(self) -> bool:
        """The server echoes what the client types (it said WILL ECHO and the client agreed)."""
        w = getattr(self._protocol, "writer", None)
        return bool(w is not None and w.local_option.enabled(b"\x01"))

    def send(self, text: str) -> None:
        """Send text to this client (a thread-safe call from any thread)."""
        self.lab._call(self._write, text)

    def _write(self, text: str) -> None:
        w = getattr(self._protocol, "writer", None)
        if w is not None and not w.connection_closed:
            data = text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8", "replace")
            w.write(data)

    def close(self) -> None:
        """End the session (after what was sent is flushed)."""
        self.closed = True
        if self._in_app:
            return  # the app's reply goes out first; the shell then ends the session
        w = getattr(self._protocol, "writer", None)
        if w is not None:
            self.lab._call(w.close)

    def __repr__(self):
        who = f" user={self.user!r}" if self.user else ""
        return f"<TelnetSession {self.peer}{who} term={self.term!r} size={self.cols}x{self.rows}>"


def _protocol_class():
    from telnetlib3.server import TelnetServer
    from telnetlib3.server_base import BaseServer

    class LabTelnetProtocol(TelnetServer):
        """telnetlib3's server protocol, asking for the lab's options only and
        recording every byte and command."""

        lab: "TelnetLab"

        def __init__(self, *a, **k):
            super().__init__(*a, **k)
            self._echo_negotiated = True  # the lab decides about WILL ECHO itself (options=)
            self._environ_requested = True  # no NEW-ENVIRON request
            self._in = IACParser()
            self._out = IACParser(max_sb=1 << 16)
            self.session = None
            self.transcript = None
            self._refused = False

        # -- wiring ----------------------------------------------------------------
        def connection_made(self, transport):
            lab = self.lab
            peer = transport.get_extra_info("peername") or ("?", 0)
            self.peer = f"{peer[0]}:{peer[1]}"
            if len(lab._sessions) >= lab.max_sessions:
                self._refused = True
                lab.log_event(self.peer, "connect", "refused", 0, 0.0, f"over {lab.max_sessions} sessions")
                transport.write(b"too many sessions, try later\r\n")
                transport.close()
                return
            self.transcript = lab.new_transcript(self.peer)
            self.session = TelnetSession(lab, self.peer, self)
            lab._sessions.append(self.session)
            self._clock = timer()
            raw_write = transport.write

            def write(data):
                data = bytes(data)
                self._log_tokens(self._out, data, "server")
                self.transcript.received(data)  # server -> client
                if self._hold is not None:
                    self._hold.append(data)
                else:
                    raw_write(data)

            self._hold = None
            self._raw_write = raw_write
            transport.write = write
            lab.log_event(self.peer, "connect", "open", 0, 0.0, "")
            super().connection_made(transport)

        def data_received(self, data):
            if self._refused or self.session is None:
                return
            self.transcript.sent(data)  # client -> server
            try:
                self._log_tokens(self._in, data, "client")
            except TooManyCommands as e:
                self.lab.log_event(self.peer, "(negotiation)", "closed", len(data), None, str(e))
                self._hangup(f"\r\n{e}; closing\r\n")
                return
            super().data_received(data)

        def _hangup(self, message: str):
            if self.session is not None:
                self.session.closed = True
            t = self._transport
            if t is None:
                return
            try:
                t.write(message.encode())
            except Exception:  # closing anyway: a failed goodbye changes nothing
                pass
            t.close()

        def _log_tokens(self, parser, data: bytes, side: str):
            s = self.session
            for tok in parser.feed(data):
                kind = tok[0]
                if kind == "data":
                    continue
                if side == "client":
                    s.commands += 1
                if kind == "cmd":
                    what = f"{side} {tok[1]}{' ' + tok[2] if tok[2] else ''}"
                    self.lab.log_event(self.peer, what, "negotiation", 3 if tok[2] else 2, None, "")
                elif kind == "sb":
                    opt = BY_NAME.get(tok[1], -1)
                    desc = describe_sb(opt, tok[2])
                    if side == "client" and tok[1] == "TTYPE" and tok[2][:1] == b"\x00":
                        s.term = tok[2][1:].decode("ascii", "replace")[:64]
                    if side == "client" and tok[1] == "NAWS" and len(tok[2]) == 4:
                        s.cols, s.rows = tok[2][0] * 256 + tok[2][1], tok[2][2] * 256 + tok[2][3]
                    self.lab.log_event(self.peer, f"{side} SB {tok[1]}", "negotiation", len(tok[2]) + 5, None, desc)
                else:  # an unterminated SB
                    raise TooManyCommands(tok[1])
                if side == "client" and s.commands > self.lab.max_commands:
                    raise TooManyCommands(f"over {self.lab.max_commands} telnet commands in one session")

        def connection_lost(self, exc):
            s = self.session
            if s is not None and not getattr(self, "_lost", False):
                self._lost = True
                s.closed = True
                try:
                    self.lab._sessions.remove(s)
                except ValueError:
                    pass
                t = self.transcript
                self.lab.log_event(self.peer, "disconnect", "closed", t.total["S>C"] if t else 0, self._clock(),
                                   f"{t.total['C>S'] if t else 0:,} bytes in")
                self.lab._on_leave(s)
            super().connection_lost(exc)

        # -- negotiation: exactly the lab's options ----------------------------------------
        def begin_negotiation(self):
            from telnetlib3.telopt import DO, WILL

            BaseServer.begin_negotiation(self)
            self._hold = []  # the opening requests go out in one segment, as real servers send them
            try:
                for key, on in self.lab.options.items():
                    if on and key in _OPT_BYTES:
                        verb, opt = _OPT_BYTES[key]
                        self.writer.iac(WILL if verb == "WILL" else DO, bytes([opt]))
            finally:
                held, self._hold = self._hold, None
                if held and self._transport is not None:
                    self._raw_write(b"".join(held))

        def check_negotiation(self, final=False):
            # done when every option asked for is answered (telnetlib3's own
            # check also waits for CHARSET/BINARY encoding talks we never start)
            BaseServer.check_negotiation(self, final)
            return not any(self.writer.pending_option.values())

        def begin_advanced_negotiation(self):
            pass  # no BINARY / CHARSET / NEW-ENVIRON beyond what options= asks

    return LabTelnetProtocol


class TelnetLab(LabServer):
    kind = "telnet"
    scheme = "telnet"
    transcript_class = TelnetTranscript

    def __init__(self, app="echo", *, users=None, options=None, name=None, host="127.0.0.1", port=0,
                 banner=None, max_sessions=32, max_line=1024, max_commands=1000, idle_timeout=300,
                 negotiation_wait=1.0):
        super().__init__(name=name, host=host, port=port)
        if not (callable(app) or app in ("echo", "chat", "menu")):
            raise ValueError(f"app: 'echo', 'chat', 'menu' or a callable (line, session) -> reply; got {app!r}")
        self.app = app
        self.users = dict(users) if users else None
        opts = dict(DEFAULT_OPTIONS)
        if app == "menu" or self.users:
            opts.update(_LOGIN_STYLE)
        for k, v in (options or {}).items():
            k = k.lower().replace("-", "_")
            k = {"suppress_go_ahead": "sga", "terminal_type": "ttype", "window_size": "naws"}.get(k, k)
            if k not in _OPT_BYTES:
                raise ValueError(f"options: unknown option {k!r}; known: {', '.join(_OPT_BYTES)}")
            opts[k] = bool(v)
        self.options = opts
        self.banner = banner
        self.max_sessions = int(max_sessions)
        self.max_line = int(max_line)
        self.max_commands = int(max_commands)
        self.idle_timeout = idle_timeout
        self.negotiation_wait = negotiation_wait
        self._sessions: list[TelnetSession] = []
        self.loop = None

    # -- lifecycle ------------------------------------------------------------------
    def _start(self):
        import telnetlib3

        proto = type("LabTelnetProtocol", (_protocol_class(),), {"lab": self})
        # the loop runs in its own thread from the start: a notebook's kernel
        # already runs an event loop in the main thread
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name=f"netbook-telnet-{self.name}", daemon=True)
        self._thread.start()
        liblog.attach(self, self._thread)  # telnetlib3's and asyncio's log lines become log rows
        make = telnetlib3.create_server(
            self.host, self.port, protocol_factory=proto, shell=self._shell, encoding=False,
            connect_maxwait=self.negotiation_wait, timeout=self.idle_timeout, line_mode=False)
        try:
            self._server = asyncio.run_coroutine_threadsafe(make, self.loop).result(10)
        except BaseException:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(5)
            self.loop.close()
            raise
        self.host, self.port = self._server.sockets[0].getsockname()[:2]

    def _stop(self):
        async def close():
            self._server.close()
            for s in list(self._sessions):
                p = s._protocol
                if p._transport is not None:
                    p._transport.close()
            await asyncio.sleep(0.05)
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        try:
            asyncio.run_coroutine_threadsafe(close(), self.loop).result(5)
        except Exception:  # a session that will not close must not keep the server up
            pass
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)
        if not self.loop.is_running():
            self.loop.close()

    def _call(self, fn, *args):
        if self.loop is None or self.loop.is_closed():
            return
        if threading.current_thread() is self._thread:
            fn(*args)
        else:
            self.loop.call_soon_threadsafe(fn, *args)

    @property
    def sessions(self) -> list[TelnetSession]:
        """The sessions connected now."""
        return list(self._sessions)

    def url_for(self, user: str | None = None) -> str:
        from urllib.parse import quote

        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"telnet://{(quote(user, safe='') + '@') if user else ''}{host}:{self.port}"

    @property
    def url(self) -> str:
        return self.url_for()

    def _summary(self):
        name = self.app if isinstance(self.app, str) else getattr(self.app, "__name__", "app")
        return {**super()._summary(), "kind": f"telnet ({name})"}

    # -- sessions ---------------------------------------------------------------------
    async def _readline(self, reader, writer, session, echo: bool | None = None):
        """One line from the client (str without its end), None at end of
        stream.  Echoes as it goes when the server owns echo; BS/DEL erase; a
        line over ``max_line`` bytes is refused (and the rest discarded)."""
        buf = session.data.setdefault("_pending", bytearray())
        line = bytearray()
        too_long = False
        echo = session.echoing if echo is None else echo
        skip_lf = session.data.get("_skip_lf", False)
        for _ in range(1_000_000):
            if not buf:
                chunk = await reader.read(4096)
                if not chunk:
                    return None
                buf.extend(chunk)
            b = buf.pop(0)
            if skip_lf:
                skip_lf = False
                session.data["_skip_lf"] = False
                if b in (0, 10):
                    continue
            if b in (10, 13):
                session.data["_skip_lf"] = b == 13
                if echo:
                    writer.write(b"\r\n")
                if too_long:
                    return ""  # the caller reports it (session.data["_too_long"])
                return line.decode("utf-8", "replace")
            if b in (8, 127):
                if line:
                    line.pop()
                    if echo:
                        writer.write(b"\b \b")
                continue
            if b == 0:
                continue
            if len(line) >= self.max_line:
                if not too_long:
                    too_long = True
                    session.data["_too_long"] = True
                continue
            line.append(b)
            if echo and b >= 32:
                writer.write(bytes([b]))
        return None

    async def _read(self, reader, writer, session, echo=None):
        session.data["_too_long"] = False
        line = await self._readline(reader, writer, session, echo)
        if line is not None and session.data.get("_too_long"):
            self.log_event(session.peer, "(line too long)", "refused", 0, None, f"over {self.max_line} bytes")
            writer.write(f"error: line over {self.max_line} bytes; ignored\r\n".encode())
            return ""
        return line

    async def _login(self, reader, writer, session) -> bool:
        for attempt in range(3):
            writer.write(b"login: ")
            user = await self._read(reader, writer, session)
            if user is None:
                return False
            writer.write(b"Password: ")
            pw = await self._read(reader, writer, session, echo=False)
            if pw is None:
                return False
            if session._protocol.transcript is not None:
                session._protocol.transcript.add_secret(pw)
            if session.echoing:
                pass  # the newline was not echoed while the password was typed
            writer.write(b"\r\n")
            user = user.strip()
            expected = self.users.get(user)
            ok = hmac.compare_digest((expected or "\0").encode(), pw.encode("utf-8", "surrogateescape")) and expected is not None
            self.log_event(session.peer, f"login {user[:64]}", "ok" if ok else "failed", None, None,
                           "" if ok else f"attempt {attempt + 1} of 3")
            if ok:
                session.user = user
                return True
            await asyncio.sleep(0.2)
            writer.write(b"Login incorrect\r\n")
        writer.write(b"Too many failures; goodbye\r\n")
        return False

    async def _shell(self, reader, writer):
        proto = getattr(writer, "_protocol", None)
        session = getattr(proto, "session", None)
        if session is None:
            for s in self._sessions:
                if s._protocol.writer is writer:
                    session = s
        if session is None:
            writer.close()
            return
        try:
            await self._run(reader, writer, session)
        except (ConnectionError, asyncio.CancelledError):
            pass
        except Exception as e:
            self.log_event(session.peer, "(app error)", "error", None, None, f"{type(e).__name__}: {e}"[:300])
        finally:
            if not writer.connection_closed:
                writer.close()

    async def _run(self, reader, writer, session):
        self.log_event(session.peer, "session", "ready", None, None,
                       f"term={session.term or '-'} "
                       f"size={'-' if session.cols is None else session.cols}x{'-' if session.rows is None else session.rows} "
                       f"options={','.join(f'{k}:{v}' for k, v in sorted(session.options.items())) or '-'}")
        if self.banner:
            session._write(self.banner.rstrip("\n") + "\n")
        if self.users:
            if not await self._login(reader, writer, session):
                return
        app = self.app
        if app == "echo":
            session._write("netbook telnet echo lab; quit ends\n")
        elif app == "chat":
            self._join(session)
        elif app == "menu":
            session._write(f"Welcome{(' ' + session.user) if session.user else ''}. Type help for commands.\n")
        prompt = "$ " if app == "menu" else ""
        while not session.closed:
            if prompt:
                writer.write(prompt.encode())
            line = await self._read(reader, writer, session)
            if line is None:
                return
            session.lines += 1
            clock = timer()
            reply, done = await self._answer(app, line, session)
            self.log_event(session.peer, line[:300], "quit" if done else "ok", len((reply or "").encode()), clock(),
                           "" if app != "chat" else session.nick)
            if reply:
                session._write(reply if reply.endswith("\n") else reply + "\n")
            if done:
                await writer.drain()
                return

    async def _answer(self, app, line, session):
        cmd = line.strip()
        if app == "echo":
            if cmd == "quit":
                return "bye", True
            return line, False
        if app == "menu":
            word = cmd.split(" ", 1)[0].lower()
            if word == "":
                return None, False
            if word == "help":
                return "commands: help, date, whoami, options, quit", False
            if word == "date":
                return datetime.now(timezone.utc).strftime("%a %b %d %H:%M:%S UTC %Y"), False
            if word == "whoami":
                return session.user or "guest", False
            if word == "options":
                o = session.options
                agreed = ", ".join(f"{k} by {v}" for k, v in sorted(o.items())) or "no options agreed"
                return f"term {session.term or 'unknown'}, window {session.cols or '?'}x{session.rows or '?'}; {agreed}", False
            if word in ("quit", "exit", "logout"):
                return "bye", True
            return f"{word[:40]}: command not found (try help)", False
        if app == "chat":
            return self._chat(cmd, line, session)
        loop = asyncio.get_running_loop()
        session._in_app = True
        try:
            reply = await loop.run_in_executor(None, app, line, session)
        except Exception as e:
            self.log_event(session.peer, line[:300], "error", None, None, f"{type(e).__name__}: {e}"[:300])
            return f"error: {type(e).__name__}", False
        finally:
            session._in_app = False
        if reply is not None and not isinstance(reply, str):
            reply = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
        return reply, session.closed

    # -- chat --------------------------------------------------------------------------
    def _room(self):
        return [s for s in self._sessions if s.nick and not s.closed]

    def _join(self, session):
        self._count = getattr(self, "_count", 0) + 1
        session.nick = session.user or f"user{self._count}"
        session._write(f"* welcome {session.nick}; /nick NAME, /who, /quit\n")
        self._say(f"* {session.nick} joined", session)

    def _say(self, text, sender):
        for s in self._room():
            if s is not sender:
                s._write(text + "\n")

    def _on_leave(self, session):
        if self.app == "chat" and session.nick:
            self._say(f"* {session.nick} left", session)

    def _chat(self, cmd, line, session):
        if cmd.startswith("/nick "):
            new = cmd[6:].strip()[:32]
            if not new or any(c.isspace() for c in new):
                return "* a nick is one word", False
            old, session.nick = session.nick, new
            self._say(f"* {old} is now {new}", session)
            return f"* you are {new}", False
        if cmd == "/who":
            return "* here: " + ", ".join(sorted(s.nick for s in self._room())), False
        if cmd == "/quit":
            return "* bye", True
        if not cmd:
            return None, False
        self._say(f"[{session.nick}] {line}", session)
        return None, False


def serve(app="echo", *, users=None, options=None, name=None, host="127.0.0.1", port=0, banner=None,
          max_sessions=32, max_line=1024, max_commands=1000, idle_timeout=300, negotiation_wait=1.0) -> TelnetLab:
    """Start a telnet lab server (see the module docstring) on 127.0.0.1, a
    free port.  ``options={"echo": True, "sga": True, "naws": True,
    "ttype": True, "linemode": False}`` chooses what the server asks for
    (defaults: WILL SGA, DO NAWS, DO TTYPE; WILL ECHO too for login-style
    apps, ``"menu"`` or ``users=``)."""
    return TelnetLab(app, users=users, options=options, name=name, host=host, port=port, banner=banner,
                     max_sessions=max_sessions, max_line=max_line, max_commands=max_commands,
                     idle_timeout=idle_timeout, negotiation_wait=negotiation_wait).start()
