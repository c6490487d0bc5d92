"""``serve.imap()``: netbook's own IMAP4rev1 server (RFC 3501) on
socketserver, over a MailStore.

Enough for real clients (imaplib, curl, imap-tools): CAPABILITY, LOGIN,
AUTHENTICATE PLAIN, STARTTLS, LIST/LSUB, SELECT/EXAMINE, STATUS, CREATE,
DELETE, RENAME, SUBSCRIBE, APPEND, CHECK, CLOSE, UNSELECT, EXPUNGE, SEARCH,
FETCH (FLAGS, UID, INTERNALDATE, RFC822.SIZE, ENVELOPE, BODY[...] and
BODY.PEEK[...] sections with partials, BODYSTRUCTURE), STORE, COPY, MOVE,
UID variants, IDLE, NOOP, NAMESPACE, LOGOUT.  Malformed commands get BAD,
never a dead server.  Literals are bounded (``max_literal``).

Mailbox names are modified UTF-7 on the wire (RFC 3501 5.1.3), decoded
strictly (a non-canonical or broken name gets NO) and checked by the store.
``\\Recent`` (RFC 3501 2.3.2) follows Maildir: a message is recent until a
read-write SELECT claims it (new/ -> cur/); that session alone sees
``\\Recent`` (FETCH FLAGS, ``* n RECENT``, SEARCH RECENT/NEW/OLD); EXAMINE
sees it without claiming; STATUS RECENT counts unclaimed messages; COPY,
MOVE and APPEND make recent messages; a client cannot STORE ``\\Recent``.
"""
from __future__ import annotations

import base64
import fnmatch
import re
import select
import time

from ..mail.mime import imap_string
from ..mail.store import StoreError
from ..mail.utf7 import MailboxNameError, decode_mailbox, encode_mailbox
from ._imap_fetch import FetchCommands
from ._imap_search import SearchCommands
from ._imap_syntax import (_LITERAL, SYSTEM_FLAGS, Bad, No, Quoted, _tag_of, astring, in_set, parse_append_date, parse_set,
                           tokenize)
from ._mailcommon import LineHandler, LineTooLong, LineLab

__all__ = ["IMAPLab", "serve"]

_ENDS_LIKE_LITERAL = re.compile(r"\{\d+\+?\}$")
PREAUTH_LITERAL = 8192  # bytes of literals one command may carry before login (a password fits)



# ---------------------------------------------------------------------------
# the handler
# ---------------------------------------------------------------------------


class IMAPHandler(SearchCommands, FetchCommands, LineHandler):
    max_line = 65536

    def handle(self):
        if not self.implicit_tls():
            return
        self.user = None
        self.folder = None
        self.readonly = False
        self.view = []  # the session's Entries; sequence number = index + 1
        self.recent = set()  # keys of the messages that are \Recent in this session
        self.untagged(f"OK [CAPABILITY {self.capabilities()}] netbook IMAP4rev1 server ready")
        try:
            while self._one():
                pass
        except OSError:
            pass

    # -- wire helpers -------------------------------------------------------------
    def untagged(self, text):
        self.write((text if isinstance(text, bytes) else text.encode("utf-8", "surrogateescape")).join([b"* ", b"\r\n"]))

    def tagged(self, tag, status, text, request):
        self.log(request, status, getattr(self, "_detail", ""))
        self._detail = ""
        if any(c in text for c in "\r\n\0"):  # an echoed "STO\rRE" must not break the line
            text = text.replace("\r", "\\r").replace("\n", "\\n").replace("\0", "\\0")
        if _ENDS_LIKE_LITERAL.search(text):  # an echoed "UID{5}": a client would wait for 5 bytes
            text += " (not a literal)"
        self.write(f"{tag} {status} {text}\r\n".encode("utf-8", "surrogateescape"))

    def capabilities(self) -> str:
        caps = "IMAP4rev1 LITERAL+ SASL-IR IDLE UIDPLUS MOVE UNSELECT NAMESPACE CHILDREN AUTH=PLAIN"
        if self.lab.starttls and not self.tls:
            caps += " STARTTLS"
        return caps

    def read_command(self):
        """(first line text, full text with literal markers, literals) or None."""
        literals: list[bytes] = []
        parts: list[str] = []
        line = self.readline()
        if line is None:
            return None
        first = self._first = line.decode("utf-8", "replace")
        total = 0
        for _ in range(1000):
            if b"\x00" in line:
                raise Bad("NUL in command")
            m = _LITERAL.search(line)
            if not m:
                parts.append(line.decode("utf-8", "surrogateescape"))
                break
            n = int(m.group(1))
            total += n
            parts.append(line[: m.start()].decode("utf-8", "surrogateescape") + f"\x00{len(literals)}\x01")
            # before authentication only LOGIN/AUTHENTICATE may need a literal:
            # a small bound, so an anonymous peer cannot make the server hold megabytes
            limit = self.lab.max_literal if self.user is not None else min(self.lab.max_literal, PREAUTH_LITERAL)
            if total > limit:
                if m.group(2):  # LITERAL+: the data is already coming; we cannot resync
                    raise ConnectionAbortedError("literal too big")
                when = "" if self.user is not None else " before authentication"
                raise Bad(f"literal of {n:,} bytes{when} is over the limit of {limit:,}")
            if not m.group(2):
                self.write(b"+ Ready for literal data\r\n")
            data = self.read_exact(n)
            if data is None:
                return None
            literals.append(data)
            line = self.readline()
            if line is None:
                return None
        return first, "".join(parts), literals

    # -- one command --------------------------------------------------------------
    def _one(self) -> bool:
        try:
            got = self.read_command()
        except LineTooLong:
            self.log("(line too long)", "BAD")
            self.untagged("BAD line too long")
            return True
        except Bad as e:
            first = getattr(self, "_first", "")
            tag = _tag_of(first)
            self.log(first or "(unparsable)", "BAD")
            self.write(f"{tag} BAD {e}\r\n".encode())
            return True
        except ConnectionAbortedError:
            self.untagged("BYE literal too big")
            return False
        if got is None:
            return False
        first, text, literals = got
        request = first
        tag = _tag_of(first)
        try:
            toks = tokenize(text, literals)
            if len(toks) < 2 or not isinstance(toks[0], str) or isinstance(toks[0], Quoted) or not isinstance(toks[1], str):
                raise Bad("expected: tag command [arguments]")
            tag, cmd, args = toks[0], toks[1].upper(), toks[2:]
            if not re.fullmatch(r"[!#$&'+,\-./0-9:;<=>?@A-Z\[\]^_`a-z|}~]+", tag):
                tag = "*"
                raise Bad("bad tag")
            uid = False
            if cmd == "UID":
                if not args or not isinstance(args[0], str):
                    raise Bad("UID needs a command")
                uid, cmd, args = True, str(args[0]).upper(), args[1:]
                if cmd not in ("FETCH", "SEARCH", "STORE", "COPY", "MOVE", "EXPUNGE"):
                    raise Bad(f"UID {cmd} is not a command")
            method = getattr(self, "cmd_" + cmd, None) if cmd.isalpha() else None
            if method is None:
                raise Bad(f"unknown command {cmd}")
            if cmd not in ("CAPABILITY", "NOOP", "LOGOUT", "LOGIN", "AUTHENTICATE", "STARTTLS") and self.user is None:
                raise Bad("log in first")
            if cmd in ("FETCH", "SEARCH", "STORE", "COPY", "MOVE", "EXPUNGE", "CLOSE", "UNSELECT", "CHECK") and self.folder is None:
                raise Bad("select a folder first")
            if self.folder is not None and cmd in ("FETCH", "SEARCH", "STORE", "COPY", "MOVE"):
                self.sync(expunge=False)  # new mail is visible to this command
            result = method(tag, args, uid) if cmd in ("FETCH", "SEARCH", "STORE", "COPY", "MOVE", "EXPUNGE") else method(tag, args)
            if result == "logout":
                self.tagged(tag, "OK", "LOGOUT completed", request)
                return False
            if result == "done":
                return True
            if self.folder is not None and cmd not in ("FETCH", "STORE", "SEARCH") or uid:
                self.sync()
            self.tagged(tag, "OK", result or f"{cmd} completed", request)
        except Bad as e:
            self.tagged(tag, "BAD", str(e), request)
        except (No, StoreError, MailboxNameError) as e:
            self.tagged(tag, "NO", str(e), request)
        except (ConnectionError, TimeoutError):
            return False
        except OSError as e:
            self.tagged(tag, "NO", f"server error: {type(e).__name__}", request)
        except Exception as e:  # noqa: BLE001 - a bug must not kill the session
            self._detail = f"internal error: {type(e).__name__}: {e}"
            self.tagged(tag, "BAD", f"internal error ({type(e).__name__})", request)
        return True

    # -- sync with the store --------------------------------------------------------
    def sync(self, refresh=True, expunge=True):
        """Tell the client what changed in the folder: new messages (EXISTS,
        any time) and, where the protocol allows, removals (EXPUNGE)."""
        f = self.folder
        if f is None:
            return
        if refresh:
            f.refresh()
        current = f.snapshot()
        keys = {e.key for e in current}
        for i in range(len(self.view) - 1, -1, -1):
            if expunge and self.view[i].key not in keys:
                del self.view[i]
                self.untagged(f"{i + 1} EXPUNGE")
        known = {e.key for e in self.view}
        new = [e for e in current if e.key not in known]
        if new:
            self.view.extend(new)
            self.untagged(f"{len(self.view)} EXISTS")
            self.recent |= self._claim(new)
            if self._recent_count() != self._recent_told:  # as Dovecot: only when it changed
                self._recent_told = self._recent_count()
                self.untagged(f"{self._recent_told} RECENT")
        self._version = f.version

    def _claim(self, entries) -> set:
        """The keys of ``entries`` that are \\Recent for this session: a
        read-write session claims them (no other session will see them
        recent); EXAMINE only looks (RFC 3501 6.3.2)."""
        if self.readonly:
            return {e.key for e in entries if e.recent}
        return self.folder.claim_recent(entries)

    def _recent_count(self) -> int:
        return sum(e.key in self.recent for e in self.view)

    def _flag_list(self, e) -> str:
        flags = sorted(e.flags)
        if e.key in self.recent:
            flags.append("\\Recent")
        return "(" + " ".join(flags) + ")"

    def messages(self, spec: str, uid: bool):
        """[(seq, entry)] for a set of sequence numbers or UIDs."""
        if uid:
            biggest = self.view[-1].uid if self.view else 0
            ranges = parse_set(spec, biggest if biggest else self.folder.uidnext)
            return [(i, e) for i, e in enumerate(self.view, 1) if in_set(e.uid, ranges)]
        ranges = parse_set(spec, len(self.view))
        if any(lo < 1 or hi > len(self.view) for lo, hi in ranges) and not (spec == "*" or not self.view):
            raise Bad(f"sequence set {spec} is out of range (1..{len(self.view)})")
        return [(i, e) for i, e in enumerate(self.view, 1) if in_set(i, ranges)]

    def mailbox_arg(self, tok) -> str:
        """A mailbox argument: modified UTF-7 on the wire (RFC 3501 5.1.3),
        decoded strictly (NO for anything else) and checked by the store."""
        from ..mail.store import check_folder

        wire = astring(tok)
        if wire.isascii() and wire.upper() == "INBOX":
            return "INBOX"
        return check_folder(decode_mailbox(wire))

    # -- any state ----------------------------------------------------------------
    def cmd_CAPABILITY(self, tag, args):
        self.untagged(f"CAPABILITY {self.capabilities()}")

    def cmd_NOOP(self, tag, args):
        return None

    def cmd_LOGOUT(self, tag, args):
        self.untagged("BYE netbook IMAP server logging out")
        return "logout"

    def cmd_STARTTLS(self, tag, args):
        if not self.lab.starttls or self.tls or self.user is not None:
            raise Bad("STARTTLS not available")
        self.tagged(tag, "OK", "begin TLS negotiation now", f"{tag} STARTTLS")
        self.start_tls()
        return "done"

    # -- not authenticated -----------------------------------------------------------
    def cmd_LOGIN(self, tag, args):
        if len(args) != 2:
            raise Bad("LOGIN user password")
        return self._login(astring(args[0]), astring(args[1]))

    def cmd_AUTHENTICATE(self, tag, args):
        if not args or str(args[0]).upper() != "PLAIN":
            raise No("only AUTHENTICATE PLAIN is supported")
        if len(args) > 1:
            data = astring(args[1])
        else:
            self.write(b"+ \r\n")
            line = self.readline()
            if line is None:
                raise ConnectionError()
            data = line.decode("ascii", "replace").strip()
        if data == "*":
            raise Bad("AUTHENTICATE cancelled")
        try:
            _, user, pw = base64.b64decode(data, validate=True).decode("utf-8").split("\0")
        except (ValueError, UnicodeDecodeError):
            raise Bad("malformed AUTHENTICATE PLAIN data") from None
        return self._login(user, pw)

    def _login(self, user, password):
        from ..mail.store import check_user

        if self.user is not None:
            raise Bad("already logged in")
        if not self.lab.check_password(user, password):
            self._detail = "login failed"
            time.sleep(self.lab.failure_delay)
            raise No("[AUTHENTICATIONFAILED] invalid user name or password")
        self.user = check_user(user)
        self.lab.store.maildir(self.user)
        self._detail = f"logged in as {self.user}"
        return f"[CAPABILITY {self.capabilities()}] LOGIN completed"

    # -- authenticated -------------------------------------------------------------
    def cmd_NAMESPACE(self, tag, args):
        self.untagged('NAMESPACE (("" ".")) NIL NIL')

    def _folder_flags(self, name, names):
        kids = any(n.startswith(name + ".") for n in names)
        return "\\HasChildren" if kids else "\\HasNoChildren"

    def cmd_LIST(self, tag, args, lsub=False):
        if len(args) != 2:
            raise Bad("LIST reference pattern")
        ref, pattern = astring(args[0]), astring(args[1])
        if pattern == "":
            self.untagged('LIST (\\Noselect) "." ""')
            return None
        names = [encode_mailbox(n) for n in self.lab.store.folders(self.user)]
        full = ref + pattern
        rx = re.compile("^" + "".join(".*" if c == "*" else "[^.]*" if c == "%" else re.escape(c) for c in full) + "$",
                        re.I if full.upper().startswith("INBOX") else 0)
        word = "LSUB" if lsub else "LIST"
        for name in names:
            if rx.match(name) or (name == "INBOX" and fnmatch.fnmatch("INBOX", full.upper().replace("%", "*"))):
                self.write(f"* {word} ({self._folder_flags(name, names)}) \".\" ".encode() + imap_string(name) + b"\r\n")

    def cmd_LSUB(self, tag, args):
        return self.cmd_LIST(tag, args, lsub=True)

    def cmd_SUBSCRIBE(self, tag, args):
        self.lab.store.folder(self.user, self.mailbox_arg(args[0]) if args else "")

    def cmd_UNSUBSCRIBE(self, tag, args):
        if not args:
            raise Bad("UNSUBSCRIBE mailbox")

    def cmd_CREATE(self, tag, args):
        if len(args) != 1:
            raise Bad("CREATE mailbox")
        name = self.mailbox_arg(args[0]).rstrip(".")
        if name == "INBOX" or name in self.lab.store.folders(self.user):
            raise No(f"[ALREADYEXISTS] {name} exists")
        self.lab.store.folder(self.user, name, create=True)

    def cmd_DELETE(self, tag, args):
        if len(args) != 1:
            raise Bad("DELETE mailbox")
        name = self.mailbox_arg(args[0])
        if self.folder is not None and self.folder.name == name:
            self.folder, self.view = None, []
        self.lab.store.delete_folder(self.user, name)

    def cmd_RENAME(self, tag, args):
        if len(args) != 2:
            raise Bad("RENAME old new")
        old, new = self.mailbox_arg(args[0]), self.mailbox_arg(args[1])
        if self.folder is not None and self.folder.name == old:
            self.folder, self.view = None, []
        self.lab.store.rename_folder(self.user, old, new)

    def cmd_SELECT(self, tag, args, readonly=False):
        if len(args) != 1:
            raise Bad("SELECT mailbox")
        self.folder, self.view, self.recent = None, [], set()
        f = self.lab.store.folder(self.user, self.mailbox_arg(args[0]))
        f.refresh()
        self.folder, self.readonly = f, readonly
        self.view = f.snapshot()
        self.recent = self._claim(self.view)
        self._version = f.version
        unseen = next((i for i, e in enumerate(self.view, 1) if "\\Seen" not in e.flags), None)
        self.untagged("FLAGS (" + " ".join(SYSTEM_FLAGS) + ")")
        self.untagged("OK [PERMANENTFLAGS (" + ("" if readonly else " ".join(SYSTEM_FLAGS) + " \\*") + ")] flags")
        self.untagged(f"{len(self.view)} EXISTS")
        self._recent_told = self._recent_count()
        self.untagged(f"{self._recent_told} RECENT")
        if unseen:
            self.untagged(f"OK [UNSEEN {unseen}] first unseen")
        self.untagged(f"OK [UIDVALIDITY {f.uidvalidity}] UIDs valid")
        self.untagged(f"OK [UIDNEXT {f.uidnext}] predicted next UID")
        return f"[{'READ-ONLY' if readonly else 'READ-WRITE'}] {'EXAMINE' if readonly else 'SELECT'} completed"

    def cmd_EXAMINE(self, tag, args):
        return self.cmd_SELECT(tag, args, readonly=True)

    def cmd_STATUS(self, tag, args):
        if len(args) != 2 or not isinstance(args[1], list):
            raise Bad("STATUS mailbox (items)")
        f = self.lab.store.folder(self.user, self.mailbox_arg(args[0]))
        f.refresh()
        entries = f.snapshot()
        values = {
            "MESSAGES": len(entries), "RECENT": f.recent_count(), "UIDNEXT": f.uidnext, "UIDVALIDITY": f.uidvalidity,
            "UNSEEN": sum("\\Seen" not in e.flags for e in entries),
        }
        items = []
        for it in args[1]:
            key = str(it).upper()
            if key not in values:
                raise Bad(f"unknown STATUS item {it}")
            items.append(f"{key} {values[key]}")
        self.write(b"* STATUS " + imap_string(encode_mailbox(f.name)) + f" ({' '.join(items)})\r\n".encode())

    def cmd_APPEND(self, tag, args):
        if len(args) < 2 or not isinstance(args[-1], bytes):
            raise Bad("APPEND mailbox [(flags)] [date-time] literal")
        name = self.mailbox_arg(args[0])
        if name not in self.lab.store.folders(self.user):
            raise No(f"[TRYCREATE] no folder {name}")
        flags, date = [], None
        for a in args[1:-1]:
            if isinstance(a, list):
                flags = self._flags(a)
            else:
                date = parse_append_date(astring(a))
        f = self.lab.store.folder(self.user, name)
        try:
            e = f.add(args[-1], flags, date)
        except OSError as exc:  # nothing was stored (the store removes its part file)
            from ..mail.store import storage_full

            why = exc.strerror or type(exc).__name__
            self._detail = f"not stored: {why}"
            if storage_full(exc):
                raise No(f"[OVERQUOTA] not stored: the mail store is full ({why})") from None
            raise No(f"[UNAVAILABLE] not stored: {why}") from None
        return f"[APPENDUID {f.uidvalidity} {e.uid}] APPEND completed"

    # -- selected ------------------------------------------------------------------
    def cmd_CHECK(self, tag, args):
        return None

    def cmd_CLOSE(self, tag, args):
        if not self.readonly:
            self._expunge(None, send=False)
        self.folder, self.view, self.recent = None, [], set()

    def cmd_UNSELECT(self, tag, args):
        self.folder, self.view, self.recent = None, [], set()

    def _expunge(self, uids, send=True):
        doomed = [e for e in self.view if "\\Deleted" in e.flags and (uids is None or in_set(e.uid, uids))]
        if not doomed:
            return
        self.folder.remove(doomed)
        gone = {e.key for e in doomed}
        for i in range(len(self.view) - 1, -1, -1):
            if self.view[i].key in gone:
                del self.view[i]
                if send:
                    self.untagged(f"{i + 1} EXPUNGE")

    def cmd_EXPUNGE(self, tag, args, uid):
        if self.readonly:
            raise No("[READ-ONLY] folder is read-only")
        ranges = None
        if uid:
            if len(args) != 1:
                raise Bad("UID EXPUNGE set")
            ranges = parse_set(str(args[0]), self.view[-1].uid if self.view else 0)
        self._expunge(ranges)

    def _flags(self, tok) -> list[str]:
        items = tok if isinstance(tok, list) else [tok]
        out = []
        for f in items:
            f = astring(f)
            if f.startswith("\\"):
                if f.lower() == "\\recent":
                    raise Bad("\\Recent is set by the server and cannot be stored")
                match = next((s for s in SYSTEM_FLAGS if s.lower() == f.lower()), None)
                if match is None:
                    raise Bad(f"unknown system flag {f}")
                out.append(match)
            elif re.fullmatch(r"[!#$&'+,\-./0-9:;<=>?@A-Z^_`a-z|}~]{1,64}", f):
                out.append(f)
            else:
                raise Bad(f"bad flag {f!r}")
        return out

    def cmd_STORE(self, tag, args, uid):
        if len(args) != 3:
            raise Bad("STORE set [+-]FLAGS[.SILENT] (flags)")
        if self.readonly:
            raise No("[READ-ONLY] folder is read-only")
        what = str(args[1]).upper()
        m = re.fullmatch(r"([+-]?)FLAGS(\.SILENT)?", what)
        if not m:
            raise Bad(f"bad STORE item {args[1]}")
        flags = set(self._flags(args[2]))
        for seq, e in self.messages(str(args[0]), uid):
            new = e.flags | flags if m.group(1) == "+" else e.flags - flags if m.group(1) == "-" else set(flags)
            self.folder.set_flags(e, new)
            if not m.group(2):
                self.untagged(f"{seq} FETCH ({'UID %d ' % e.uid if uid else ''}FLAGS {self._flag_list(e)})")

    def cmd_COPY(self, tag, args, uid, move=False):
        if len(args) != 2:
            raise Bad("COPY set mailbox")
        name = self.mailbox_arg(args[1])
        if name not in self.lab.store.folders(self.user):
            raise No(f"[TRYCREATE] no folder {name}")
        if move and self.readonly:
            raise No("[READ-ONLY] folder is read-only")
        target = self.lab.store.folder(self.user, name)
        src, dst = [], []
        msgs = self.messages(str(args[0]), uid)
        for seq, e in msgs:
            n = target.add(self.folder.raw(e), e.flags - {"\\Recent"}, e.internaldate)
            src.append(str(e.uid))
            dst.append(str(n.uid))
        code = f"[COPYUID {target.uidvalidity} {','.join(src)} {','.join(dst)}] " if src else ""
        if move and msgs:
            if target is not self.folder:
                self.write(f"* OK {code}moved\r\n".encode())
                code = ""
                self.folder.remove([e for _, e in msgs])
                gone = {e.key for _, e in msgs}
                for i in range(len(self.view) - 1, -1, -1):
                    if self.view[i].key in gone:
                        del self.view[i]
                        self.untagged(f"{i + 1} EXPUNGE")
        return code + ("MOVE" if move else "COPY") + " completed"

    def cmd_MOVE(self, tag, args, uid):
        return self.cmd_COPY(tag, args, uid, move=True)

    # -- IDLE ------------------------------------------------------------------------
    def cmd_IDLE(self, tag, args):
        self.write(b"+ idling\r\n")
        self._detail = "idle"
        sock = self.connection
        deadline = time.monotonic() + self.lab.idle_timeout
        while time.monotonic() < deadline:
            if self.folder is not None and self.folder.version != getattr(self, "_version", -1):
                self.sync(refresh=False)
            try:
                ready, _, _ = select.select([sock], [], [], 0.2)
            except (OSError, ValueError):
                raise ConnectionError() from None
            if self.folder is not None:
                self.folder.refresh()
            if ready:
                line = self.readline()
                if line is None:
                    raise ConnectionError()
                if line.strip().upper() == b"DONE":
                    return "IDLE terminated"
                raise Bad("expected DONE")
        self.untagged("BYE idle too long")
        raise ConnectionError()


class IMAPLab(LineLab):
    kind = "imap"
    scheme = "imap"
    handler = IMAPHandler

    def __init__(self, store=None, *, max_literal=25 * 1024 * 1024, idle_timeout=1800, failure_delay=0.0, **kwargs):
        super().__init__(store, **kwargs)
        self.max_literal = int(max_literal)
        self.idle_timeout = float(idle_timeout)
        self.failure_delay = float(failure_delay)


def serve(store=None, *, name=None, host="127.0.0.1", port=0, users=None, starttls=False, tls=False,
          hostname="netbook.lab", max_literal=25 * 1024 * 1024) -> IMAPLab:
    """Start netbook's IMAP4rev1 server over ``store`` (default: the shared
    temporary store) on 127.0.0.1 (a free port).  ``users={"alice": "pw"}``
    checks passwords; without, any login opens that mailbox.  ``starttls``
    offers STARTTLS with a generated certificate (``srv.cert``); ``tls=True``
    speaks IMAP over TLS from the first byte (``imaps://``)."""
    return IMAPLab(store, name=name, host=host, port=port, users=users, starttls=starttls, tls=tls,
                   hostname=hostname, max_literal=max_literal).start()
