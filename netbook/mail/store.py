"""The mail store: one Maildir per user, IMAP folders as Maildir++ subfolders.

The SMTP catcher delivers into it; netbook's POP3 and IMAP servers read it.
Each folder keeps an in-memory index (UID, flags, size, internal date) so
IMAP sequence numbers and UIDs stay stable while a server runs; the files
on disk are an ordinary Maildir (``mailbox.Maildir``), readable by any mail
tool and by Dovecot.
"""
from __future__ import annotations

import atexit
import contextlib
import errno
import itertools
import socket
import email.utils
import mailbox
import os
import re
import shutil
import tempfile
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timezone

from ..errors import StoreError
from ..table.source import Column, StreamSource
from .utf7 import MailboxNameError, decode_mailbox, encode_mailbox

__all__ = ["MailStore", "Folder", "Entry", "StoreError", "default_store", "check_user", "check_folder", "folder_dir",
           "IMAP_TO_MAILDIR", "temporary_root"]

IMAP_TO_MAILDIR = {"\\Seen": "S", "\\Answered": "R", "\\Flagged": "F", "\\Deleted": "T", "\\Draft": "D"}
MAILDIR_TO_IMAP = {v: k for k, v in IMAP_TO_MAILDIR.items()}

_USER = re.compile(r"^[a-z0-9][a-z0-9._+-]{0,63}$")
# Characters refused in a folder name besides control/format/unassigned ones
# ("." separates levels; "*" and "%" are LIST wildcards).
_FOLDER_REFUSED = frozenset('/\\*%"')
_CATEGORIES_REFUSED = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})

DELIVERY_COLUMNS = [
    Column("time", "datetime"),
    Column("user", "str"),
    Column("folder", "str"),
    Column("uid", "int"),
    Column("from", "str"),
    Column("to", "str"),
    Column("subject", "str"),
    Column("bytes", "int", "size"),
]


def check_user(name: str) -> str:
    """A mailbox (user) name: lower-case letters, digits, ``._+-``; nothing
    that could leave the store (``..``, ``/``)."""
    user = str(name).strip().lower()
    if not _USER.match(user) or ".." in user:
        raise StoreError(f"mailbox name {name!r} refused: use letters, digits and . _ + -")
    return user


def check_folder(name: str) -> str:
    """An IMAP folder name (``.`` separates levels); ``INBOX`` in any case is the inbox."""
    name = str(name)
    if name.isascii() and name.upper() == "INBOX":  # ASCII case only: "ınbox" is another folder
        return "INBOX"
    for part in name.split("."):
        if not part or len(part) > 64:
            raise StoreError(f"folder name {name!r} refused: each level (dots separate levels) needs 1 to 64 characters")
        bad = next((c for c in part if c in _FOLDER_REFUSED or unicodedata.category(c) in _CATEGORIES_REFUSED), None)
        if bad is not None:
            raise StoreError(f"folder name {name!r} refused: {bad!r} is not allowed (no control characters, / \\ * % \")")
    if len(encode_mailbox(name)) > 200:
        raise StoreError(f"folder name {name!r} refused: over 200 characters on disk")
    return name


def folder_dir(name: str) -> str:
    """The Maildir++ directory name of a (Unicode) folder, in modified UTF-7
    as Dovecot stores it: ``Entwürfe`` lives in ``.Entw&APw-rfe``."""
    return encode_mailbox(check_folder(name))


def _folder_name(disk: str) -> str | None:
    """The folder a Maildir++ directory holds, or None if its name is not
    canonical modified UTF-7 or not a valid folder name."""
    try:
        return check_folder(decode_mailbox(disk))
    except (MailboxNameError, StoreError):
        return None


def _header(raw: bytes, names=("from", "to", "subject")) -> dict:
    from .message import quick_headers

    return quick_headers(raw, names)


@dataclass
class Entry:
    """One message in a folder's index."""

    uid: int
    key: str
    flags: set = field(default_factory=set)
    size: int | None = None  # octets as served (CRLF line ends)
    internaldate: float = 0.0
    # \Recent (RFC 3501 2.3.2): new to the folder, not yet claimed by an IMAP
    # session that SELECTed it.  Added messages are recent; on disk, messages
    # still in new/ are (Maildir's convention).  See Folder.claim_recent.
    recent: bool = True


class Folder:
    """One Maildir folder with stable UIDs.  Thread-safe."""

    def __init__(self, store: "MailStore", user: str, name: str, md: mailbox.Maildir):
        self.store, self.user, self.name, self.md = store, user, name, md
        self.uidvalidity = int(time.time()) & 0x7FFFFFFF or 1
        self.uidnext = 1
        self.entries: list[Entry] = []  # in UID order
        self.by_key: dict[str, Entry] = {}
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self.version = 0
        self.subscribed = True
        self._known: dict[str, int] = {}  # key -> UID, from the folder's uidlist
        self._keywords: dict[str, set] = {}  # key -> keyword flags (Maildir's info holds only system flags)
        self._load_uidlist()
        self.refresh()

    # -- the uidlist: UIDVALIDITY, UIDs and keywords that survive a restart -------------
    # An append-only file in the Maildir (as Dovecot keeps dovecot-uidlist):
    #   "V <uidvalidity>"         once, first
    #   "+ <uid> <key>"           a message got its UID
    #   "k <uid> <kw> <kw> ..."   its keyword flags are now these
    UIDLIST = "netbook-uidlist"

    def _load_uidlist(self) -> None:
        path = os.path.join(self.md._path, self.UIDLIST)
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                lines = f.read().splitlines()
        except FileNotFoundError:
            with contextlib.suppress(OSError):  # a read-only store still opens (its UIDs are then not kept)
                self._append_uidlist(f"V {self.uidvalidity}")
            return
        by_uid: dict[int, str] = {}
        for line in lines:
            parts = line.split(" ")
            try:
                if parts[0] == "V":
                    self.uidvalidity = int(parts[1])
                elif parts[0] == "+" and len(parts) == 3:
                    uid = int(parts[1])
                    self._known[parts[2]] = uid
                    by_uid[uid] = parts[2]
                    self.uidnext = max(self.uidnext, uid + 1)
                elif parts[0] == "k" and int(parts[1]) in by_uid:
                    self._keywords[by_uid[int(parts[1])]] = set(parts[2:])
            except (IndexError, ValueError):
                continue  # a torn last line (the disk filled up mid-write): skip it

    def _append_uidlist(self, line: str) -> None:
        fd = os.open(os.path.join(self.md._path, self.UIDLIST), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            data = (line + "\n").encode("utf-8")
            if os.write(fd, data) != len(data):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        finally:
            os.close(fd)

    # -- index ----------------------------------------------------------------
    def refresh(self) -> bool:
        """Pick up files added or removed behind the store's back."""
        with self.lock:
            self.md._refresh()
            keys = set(self.md.keys())
            gone = [e for e in self.entries if e.key not in keys]
            unknown = 1 << 62
            new = sorted(keys - set(self.by_key), key=lambda k: (self._known.get(k, unknown), self._mtime(k), k))
            for e in gone:
                self.entries.remove(e)
                del self.by_key[e.key]
            for k in new:
                flags = self._disk_flags(k) | self._keywords.get(k, set())
                try:
                    e = self._index(k, flags, self._mtime(k), self._known.get(k))
                except OSError:  # the uidlist could not grow: indexed anyway, its UID not kept
                    e = self.entries[-1]
                e.recent = self._in_new(k)
            if gone or new:
                self._bump()
            return bool(gone or new)

    def _path(self, key: str) -> str:
        return os.path.join(self.md._path, self.md._lookup(key))

    def _in_new(self, key: str) -> bool:
        try:
            return self.md._lookup(key).startswith("new" + os.sep)
        except KeyError:
            return False

    def _mtime(self, key: str) -> float:
        try:
            return os.path.getmtime(self._path(key))
        except (OSError, KeyError):
            return 0.0

    def _disk_flags(self, key: str) -> set:
        try:
            sub = self.md._lookup(key)
        except KeyError:
            return set()
        info = sub.rsplit(":2,", 1)[1] if ":2," in sub else ""
        return {MAILDIR_TO_IMAP[c] for c in info if c in MAILDIR_TO_IMAP}

    def _index(self, key, flags, date, uid: int | None = None) -> Entry:
        fresh = uid is None or bool(self.entries and uid <= self.entries[-1].uid)
        if fresh or uid is None:
            uid = self.uidnext
        e = Entry(uid, key, set(flags), None, date)
        self.uidnext = max(self.uidnext, uid + 1)
        self.entries.append(e)
        self.by_key[key] = e
        if fresh:
            self._known[key] = uid
            self._append_uidlist(f"+ {uid} {key}")
            keywords = sorted(f for f in flags if not f.startswith("\\"))
            if keywords:
                self._append_uidlist(f"k {uid} {' '.join(keywords)}")
        return e

    def _bump(self):
        self.version += 1
        self.changed.notify_all()

    # -- reading ----------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.entries)

    def snapshot(self) -> list[Entry]:
        with self.lock:
            return list(self.entries)

    def get(self, uid: int) -> Entry:
        with self.lock:
            for e in self.entries:
                if e.uid == uid:
                    return e
        raise StoreError(f"{self.user}/{self.name}: no message with UID {uid}")

    def raw(self, entry: Entry) -> bytes:
        """The message with LF line ends, as stored."""
        try:
            return self.md.get_bytes(entry.key)
        except KeyError:
            raise StoreError(f"{self.user}/{self.name}: message UID {entry.uid} was removed") from None

    def wire(self, entry: Entry) -> bytes:
        """The message with CRLF line ends, as POP3 and IMAP serve it."""
        data = to_wire(self.raw(entry))
        entry.size = len(data)
        return data

    def size(self, entry: Entry) -> int:
        if entry.size is None:
            self.wire(entry)
        return entry.size

    # -- writing ----------------------------------------------------------------
    def add(self, data: bytes, flags=(), date: float | None = None) -> Entry:
        data = bytes(data).replace(b"\r\n", b"\n")
        info = "".join(sorted(IMAP_TO_MAILDIR[f] for f in flags if f in IMAP_TO_MAILDIR))
        when = time.time() if date is None else float(date)
        with self.lock:
            key = self._write(data, "cur" if flags else "new", info, when, date is not None)
            try:
                e = self._index(key, flags, when)
            except BaseException:  # its UID could not be kept (disk full): not delivered at all
                if key in self.by_key:
                    self.entries.remove(self.by_key.pop(key))
                with contextlib.suppress(KeyError, OSError):
                    self.md.remove(key)
                raise
            e.size = wire_size(data)
            self._bump()
        return e

    def _write(self, data: bytes, subdir: str, info: str, when: float, date_given: bool = True) -> str:
        """Deliver one file the Maildir way (write in tmp/, then move into
        new/ or cur/).  ``store.durable`` adds an fsync per message, as a
        real MTA does; a lab catcher skips it (a hundred times faster)."""
        md = self.md
        key = _unique_name()
        tmp = os.path.join(md._path, "tmp", key)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
                if self.store.durable:
                    os.fsync(fd)
            finally:
                os.close(fd)
            if date_given:
                os.utime(tmp, (when, when))
            name = key + (md.colon + "2," + info if info else "")
            os.rename(tmp, os.path.join(md._path, subdir, name))
        except BaseException:  # disk full, read-only, ...: no half-written file stays in tmp/
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        md._toc[key] = os.path.join(subdir, name)
        return key

    def recent_count(self) -> int:
        """Messages no session has claimed yet (STATUS RECENT)."""
        with self.lock:
            return sum(e.recent for e in self.entries)

    def claim_recent(self, entries) -> set:
        """An IMAP session that SELECTs the folder (read-write) claims its
        recent messages: they are \\Recent for that session only, and leave
        new/ for cur/ as a Maildir reader does.  Returns the claimed keys;
        a message is claimed by one session at most."""
        claimed = set()
        with self.lock:
            for e in entries:
                if not e.recent or e.key not in self.by_key:
                    continue
                e.recent = False
                claimed.add(e.key)
                try:
                    sub = self.md._lookup(e.key)
                except KeyError:
                    continue
                if os.path.dirname(sub) == "new":
                    name = os.path.basename(sub)
                    if self.md.colon + "2," not in name:
                        name += self.md.colon + "2,"
                    try:
                        os.rename(os.path.join(self.md._path, sub), os.path.join(self.md._path, "cur", name))
                        self.md._toc[e.key] = os.path.join("cur", name)
                    except OSError:
                        pass
        return claimed

    def set_flags(self, entry: Entry, flags) -> None:
        flags = set(flags)
        with self.lock:
            if flags == entry.flags:
                return
            disk_old = {f for f in entry.flags if f in IMAP_TO_MAILDIR}
            kw_old = {f for f in entry.flags if not f.startswith("\\")}
            kw_new = {f for f in flags if not f.startswith("\\")}
            if kw_new != kw_old:
                self._append_uidlist(f"k {entry.uid} {' '.join(sorted(kw_new))}".rstrip())
                self._keywords[entry.key] = kw_new
            entry.flags = flags
            disk_new = {f for f in flags if f in IMAP_TO_MAILDIR}
            if disk_new != disk_old:
                try:
                    old = os.path.join(self.md._path, self.md._lookup(entry.key))
                    sub = os.path.dirname(self.md._lookup(entry.key))
                    if sub == "new":
                        sub = "cur"
                    info = "".join(sorted(IMAP_TO_MAILDIR[f] for f in disk_new))
                    new = os.path.join(self.md._path, sub, entry.key + self.md.colon + "2," + info)
                    os.rename(old, new)
                    self.md._toc[entry.key] = os.path.join(sub, os.path.basename(new))
                except (OSError, KeyError):
                    pass
            self._bump()

    def remove(self, entries) -> list[int]:
        """Remove messages; returns their UIDs."""
        uids = []
        with self.lock:
            for e in list(entries):
                try:
                    self.md.remove(e.key)
                except KeyError:
                    pass
                if e.key in self.by_key:
                    self.entries.remove(e)
                    del self.by_key[e.key]
                    uids.append(e.uid)
            if uids:
                self._bump()
        return uids

    def wait_change(self, version: int, timeout: float) -> int:
        with self.changed:
            if self.version == version:
                self.changed.wait(timeout)
            return self.version

    def __repr__(self):
        return f"<Folder {self.user}/{self.name}: {len(self.entries)} messages>"


class MailStore:
    """Mailboxes of a mail lab: ``root/<user>/`` is that user's Maildir.

    ``MailStore()`` uses a temporary folder removed at exit (in RAM, under
    ``/dev/shm``, when that has room and ``$TMPDIR`` is not set: see
    ``temporary_root``); ``MailStore("path")`` keeps mail on disk;
    ``durable=True`` fsyncs each delivered message (as an MTA must; a lab
    does not need to).
    """

    def __init__(self, path=None, *, max_message: int = 25 * 1024 * 1024, durable: bool = False):
        self.temporary = path is None
        self.durable = durable
        self.root = tempfile.mkdtemp(prefix="netbook-mail-", dir=temporary_root()) if path is None else os.path.abspath(os.fspath(path))
        os.makedirs(self.root, exist_ok=True)
        self.max_message = max_message
        self._folders: dict[tuple[str, str], Folder] = {}
        self._lock = threading.RLock()
        self.deliveries = StreamSource(DELIVERY_COLUMNS, title="stored messages")
        if self.temporary:
            atexit.register(self.cleanup)

    # -- mailboxes --------------------------------------------------------------
    def users(self) -> list[str]:
        return sorted(d for d in os.listdir(self.root) if _USER.match(d) and os.path.isdir(os.path.join(self.root, d, "cur")))

    def maildir(self, user: str, create: bool = True) -> mailbox.Maildir:
        user = check_user(user)
        path = os.path.join(self.root, user)
        if not create and not os.path.isdir(path):
            raise StoreError(f"no mailbox {user!r}")
        return mailbox.Maildir(path, create=True)

    def folder(self, user: str, name: str = "INBOX", create: bool = False) -> Folder:
        user = check_user(user)
        name = check_folder(name)
        with self._lock:
            f = self._folders.get((user, name))
            if f is not None:
                return f
            md = self.maildir(user)
            if name != "INBOX":
                disk = folder_dir(name)
                if disk not in md.list_folders():
                    if not create:
                        raise StoreError(f"no folder {name!r} in mailbox {user!r}")
                    md.add_folder(disk)
                md = md.get_folder(disk)
            f = self._folders[(user, name)] = Folder(self, user, name, md)
            return f

    def folders(self, user: str) -> list[str]:
        md = self.maildir(user)
        return ["INBOX"] + sorted(n for n in map(_folder_name, md.list_folders()) if n is not None)

    def delete_folder(self, user: str, name: str) -> None:
        name = check_folder(name)
        if name == "INBOX":
            raise StoreError("INBOX cannot be deleted")
        md = self.maildir(user)
        if folder_dir(name) not in md.list_folders():
            raise StoreError(f"no folder {name!r}")
        path = os.path.join(md._path, "." + folder_dir(name))
        with self._lock:
            self._folders.pop((check_user(user), name), None)
            shutil.rmtree(path)

    def rename_folder(self, user: str, old: str, new: str) -> None:
        old, new = check_folder(old), check_folder(new)
        md = self.maildir(user)
        if old == "INBOX" or new == "INBOX":
            raise StoreError("renaming INBOX is not supported")
        if folder_dir(old) not in md.list_folders():
            raise StoreError(f"no folder {old!r}")
        if folder_dir(new) in md.list_folders():
            raise StoreError(f"folder {new!r} exists")
        user = check_user(user)
        with self._lock:
            self._folders.pop((user, old), None)
            os.rename(os.path.join(md._path, "." + folder_dir(old)), os.path.join(md._path, "." + folder_dir(new)))

    # -- delivery ---------------------------------------------------------------
    def deliver(self, user: str, data: bytes, folder: str = "INBOX", flags=()) -> Entry:
        """Store one message for ``user``; returns its index entry."""
        if len(data) > self.max_message:
            raise StoreError(f"message of {len(data):,} bytes exceeds the store's limit of {self.max_message:,}")
        f = self.folder(user, folder, create=True)
        e = f.add(data, flags)
        h = _header(data[:65536])
        self.deliveries.append((datetime.now(timezone.utc), f.user, f.name, e.uid, h.get("from", ""), h.get("to", ""), h.get("subject", ""), e.size))
        return e

    # -- presenting -------------------------------------------------------------
    def to_frame(self):
        """Every message in every mailbox (user, folder, uid, from, to, subject, date, bytes, flags)."""
        import pandas as pd

        rows = []
        for user in self.users():
            for name in self.folders(user):
                f = self.folder(user, name)
                f.refresh()
                for e in f.snapshot():
                    raw = f.raw(e)
                    h = _header(raw[:65536], ("from", "to", "subject", "date"))
                    rows.append((user, name, e.uid, h.get("from", ""), h.get("to", ""), h.get("subject", ""),
                                 _date(h.get("date")), f.size(e), " ".join(sorted(e.flags))))
        return pd.DataFrame(rows, columns=["user", "folder", "uid", "from", "to", "subject", "date", "bytes", "flags"])

    def table(self):
        from ..table import Table

        return Table(self.to_frame(), formats={"bytes": "size", "uid": "id"}, title=f"mail store ({self.root})")

    def __repr__(self):
        users = self.users()
        return f"<MailStore {self.root}: {len(users)} mailboxes{' (temporary)' if self.temporary else ''}>"

    def _repr_mimebundle_(self, include=None, exclude=None):
        b = self.table()._repr_mimebundle_()
        b["text/plain"] = repr(self)
        return b

    def cleanup(self) -> None:
        if self.temporary and os.path.isdir(self.root):
            shutil.rmtree(self.root, ignore_errors=True)


#: a RAM file system gets a temporary store only with at least this much room
RAM_STORE_MIN_FREE = 512 * 1024 * 1024


def temporary_root() -> str | None:
    """Where ``MailStore()`` makes its temporary Maildirs: ``/dev/shm`` when
    it is a tmpfs (RAM) with room to spare, else the usual temporary folder
    (``None``: ``tempfile``'s choice, which honours ``$TMPDIR``).

    A catcher stores a file per message; a throwaway lab store gains nothing
    from a disk but its costs: creating a file on a busy ext4 (above all one
    mounted with ``discard``, right after other files were deleted) can take
    a millisecond, on tmpfs it takes microseconds.  Setting ``$TMPDIR``
    chooses the place yourself.
    """
    if os.environ.get("TMPDIR"):
        return None
    path = "/dev/shm"
    try:
        with open("/proc/self/mounts", encoding="utf-8", errors="replace") as f:
            if not any(line.split()[1:3] == [path, "tmpfs"] for line in f if len(line.split()) > 2):
                return None
        st = os.statvfs(path)
    except OSError:
        return None
    if st.f_bavail * st.f_frsize < RAM_STORE_MIN_FREE or not os.access(path, os.W_OK | os.X_OK):
        return None
    return path


def storage_full(e: BaseException) -> bool:
    """True when ``e`` says the disk (or a quota) is full, not another failure."""
    return isinstance(e, OSError) and e.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


def to_wire(raw: bytes) -> bytes:
    """Stored bytes (LF line ends) as served: every line ends with CRLF."""
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def wire_size(raw: bytes) -> int:
    """``len(to_wire(raw))`` without building it (a CR before a line end
    makes the two differ from a plain count of LFs)."""
    lf = raw.replace(b"\r\n", b"\n")
    return len(lf) + lf.count(b"\n")


def _date(value):
    if not isinstance(value, str) or not value:  # None, or NaN from a DataFrame column
        return None
    try:
        d = email.utils.parsedate_to_datetime(value)
        if d.tzinfo is None:
            d = d.replace(tzinfo=timezone.utc)
        return d.astimezone(timezone.utc)
    except (TypeError, ValueError, IndexError):
        return None


_HOST = socket.gethostname().replace("/", "\\057").replace(":", "\\072")
_seq = itertools.count()
_pid = os.getpid()  # os.getpid() is a system call each time; a forked child updates it


def _after_fork() -> None:
    global _pid
    _pid = os.getpid()


os.register_at_fork(after_in_child=_after_fork)


def _unique_name() -> str:
    """A Maildir unique name (time.M<usec>P<pid>Q<n>.host), as mailbox makes them."""
    now = time.time()
    return f"{int(now)}.M{int(now % 1 * 1e6)}P{_pid}Q{next(_seq)}.{_HOST}"


_default: MailStore | None = None
_default_lock = threading.Lock()


def default_store() -> MailStore:
    """The process-wide temporary store shared by ``serve.smtp/pop3/imap``
    when none is given."""
    global _default
    with _default_lock:
        if _default is None or not os.path.isdir(_default.root):
            _default = MailStore()
        return _default
