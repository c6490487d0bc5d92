"""The FTP client: ftplib.FTP / FTP_TLS driven, observed and presented.

``FTPClient(url)`` logs in (``ftp://user@host:port/path``; anonymous when the
URL names no user) and offers ``ls``/``tree`` (Tables), ``cd``, ``get``/``put``
(progress bar in a notebook, byte counts), ``read``, ``mkdir``/``rm``/
``rmdir``/``rename``, passive or active mode and a ``.transcript`` of the
control connection (PASS masked) with a summary row per data connection.
Every path is checked for CR/LF/NUL before anything is sent; ftplib's
errors become one-line :class:`~netbook.ftp.errors.FTPError` subclasses
naming the server's reply.
"""
from __future__ import annotations

import ftplib
import io
import os
import posixpath
import socket
import ssl
import tempfile
import time

from ..connection import Closing
from ..errors import InjectionError
from ..interpolate import check_line
from ..tls import tls_context
from .errors import (FTPConnectionError, FTPError, FTPLoginError, FTPPermissionError, FTPProtocolError,
                     FTPTemporaryError, FTPURLError)
from .listing import Listing, from_mlsd, parse_list
from .observed import ObservedFTP, ObservedFTPTLS
from .transcript import FTPTranscript
from .transfer import Progress, Transfer
from .urls import FTPURL, parse_ftp_url

__all__ = ["FTPClient", "Transfer", "parse_ftp_url", "FTPURL"]

MLSD_FACTS = ["type", "size", "modify", "perm", "unix.mode"]
BLOCK = 256 * 1024


# -- the client ----------------------------------------------------------------------
class FTPClient(Closing):
    """An FTP session.  ``passive=False`` for active mode (PORT);
    ``tls=True`` (or an ``ftps://``/``ftpes://`` URL) for explicit FTPS;
    ``cafile``/``verify=False`` for the server certificate (a lab server's
    certificate is found by itself); ``mlsd=False`` forces LIST parsing."""

    def __init__(self, url=None, password: str | None = None, *, user: str | None = None, passive: bool = True,
                 tls: bool | None = None, timeout: float = 30, cafile: str | None = None, verify: bool = True,
                 mlsd: bool | None = None, progress: bool = True):
        self.url = parse_ftp_url(url, password=password, user=user)
        u = self.url
        self.tls = u.tls if tls is None else bool(tls)
        self.user = u.user or "anonymous"
        self.progress = progress
        self.transfers: list[Transfer] = []
        self._mlsd = mlsd
        self._features = None
        self.transcript = FTPTranscript(title=f"FTP {u.masked('/')}")
        try:
            if self.tls:
                ctx = tls_context(verify, cafile, host=u.host, port=u.port)
                self._c = ObservedFTPTLS(self.transcript, timeout, ctx)
            else:
                self._c = ObservedFTP(self.transcript, timeout)
            self._c.connect(u.host, u.port)
        except ssl.SSLError as e:
            raise FTPConnectionError(f"TLS with {u.masked('/')} failed: {e.reason or e}") from None
        except (OSError, EOFError) as e:
            raise FTPConnectionError(f"cannot connect to {u.masked('/')}: {getattr(e, 'strerror', None) or e}") from None
        except ftplib.Error as e:
            raise self._error(e, "connect") from None
        self.welcome = self._c.welcome
        try:
            if self.tls:
                self._call("AUTH TLS", self._c.auth)
            pw = u.password
            if pw is None:
                if self.user != "anonymous":
                    raise FTPLoginError(f"login as {self.user!r} at {u.masked('/')} needs a password: "
                                        f"nb.ftp(url, password=...)")
                pw = "anonymous@"
            check_line(self.user, "FTP user")
            check_line(pw, "FTP password")
            try:
                ftplib.FTP.login(self._c, self.user, pw)
            except ftplib.error_perm as e:
                reply = _reply(e)
                raise FTPLoginError(f"{reply} (login as {self.user!r} at {u.masked('/')})", reply) from None
            if self.tls:
                self._call("PROT P", self._c.prot_p)
            self._c.set_pasv(bool(passive))
            self.home = self._cwd = self._call("PWD", self._c.pwd)
            if u.path.strip("/"):
                self.cd(u.path.lstrip("/") if not u.path.startswith("//") else u.path[1:])
        except BaseException:
            self._c.close()
            raise

    # -- plumbing ---------------------------------------------------------------------
    def _error(self, e: BaseException, what: str) -> FTPError:
        reply = _reply(e)
        where = f"{what} at {self.url.masked('/')}" if what else self.url.masked("/")
        if isinstance(e, ftplib.error_perm):
            return FTPPermissionError(f"{reply} ({where})", reply)
        if isinstance(e, ftplib.error_temp):
            return FTPTemporaryError(f"{reply} ({where})", reply)
        if isinstance(e, (ftplib.error_reply, ftplib.error_proto)):
            return FTPProtocolError(f"unexpected reply {reply!r} ({where})", reply)
        if isinstance(e, ssl.SSLError):
            return FTPConnectionError(f"TLS failed ({where}): {e.reason or e}")
        if isinstance(e, (socket.timeout, TimeoutError)):
            return FTPConnectionError(f"no answer within {self._c.timeout} s ({where})")
        return FTPConnectionError(f"connection failed ({where}): {getattr(e, 'strerror', None) or e}")

    def _call(self, what: str, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (ftplib.Error, OSError, EOFError) as e:
            raise self._error(e, what) from None

    @staticmethod
    def _path(path, what: str = "FTP path") -> str:
        path = os.fspath(path) if not isinstance(path, str) else path
        try:
            return check_line(str(path), what)
        except InjectionError:
            raise InjectionError(f"{what} {path!r} contains CR/LF/NUL; refused before sending") from None

    # -- navigation -------------------------------------------------------------------
    @property
    def cwd(self) -> str:
        """The current directory (as the last PWD said)."""
        return self._cwd

    def pwd(self) -> str:
        return self.cwd

    def cd(self, path: str = "/") -> "FTPClient":
        """Change directory (``..`` and absolute paths as the server allows)."""
        p = self._path(path)
        self._call(f"CWD {p}", self._c.cwd, p)
        self._cwd = self._call("PWD", self._c.pwd)
        return self

    @property
    def passive(self) -> bool:
        return bool(self._c.passiveserver)

    @passive.setter
    def passive(self, value: bool):
        self._c.set_pasv(bool(value))

    # -- listings ---------------------------------------------------------------------
    @property
    def features(self) -> dict[str, str]:
        """The server's FEAT list (RFC 2389): name -> argument (empty if it has no FEAT)."""
        if self._features is None:
            feats: dict[str, str] = {}
            try:
                resp = self._c.sendcmd("FEAT")
                for ln in resp.splitlines()[1:-1]:
                    name, _, arg = ln.strip().partition(" ")
                    feats[name.upper()] = arg
            except ftplib.error_perm:
                pass
            except (ftplib.Error, OSError, EOFError) as e:
                raise self._error(e, "FEAT") from None
            self._features = feats
        return self._features

    def _rows(self, path: str):
        if self._mlsd is None and self.features:
            self._mlsd = "MLST" in self.features  # as FileZilla and lftp decide
        if self._mlsd is not False:
            mlst = self.features.get("MLST", "").lower()
            facts = [f for f in MLSD_FACTS if f in mlst] if "unix.mode" in mlst else []
            try:
                return from_mlsd(self._c.mlsd(path, facts=facts)), "MLSD"
            except ftplib.error_perm as e:
                code = _reply(e)[:3]
                if self._mlsd is True or code not in ("500", "502", "504"):
                    raise self._error(e, f"MLSD {path}".strip()) from None
                self._mlsd = False  # this server has no MLSD: LIST from now on
            except (ftplib.Error, OSError, EOFError) as e:
                raise self._error(e, f"MLSD {path}".strip()) from None
        lines: list[str] = []
        cmd = "LIST" + (f" {path}" if path else "")
        self._call(cmd, self._c.retrlines, cmd, lines.append)
        return parse_list(lines), "LIST"

    def ls(self, path: str = "") -> Listing:
        """The entries of ``path`` (default: the current directory) as a
        Listing: ``.to_frame()`` (name, type, size, modified, perm), a Table."""
        p = self._path(path)
        rows, how = self._rows(p)
        rows.sort(key=lambda r: (r["type"] != "dir", r["name"]))
        shown = posixpath.join(self.cwd, p) if not p.startswith("/") else p
        return Listing(self.url.masked(posixpath.normpath(shown) if p else self.cwd), p or self.cwd, rows, how)

    def tree(self, path: str = "", depth: int = 2, max_entries: int = 10_000) -> Listing:
        """Entries under ``path`` down to ``depth`` levels, with a ``path``
        and a ``depth`` column (bounded by ``max_entries``)."""
        base = self._path(path)
        out: list[dict] = []
        todo = [(base, 0)]
        while todo and len(out) < max_entries:
            d, level = todo.pop(0)
            rows, _ = self._rows(d)
            rows.sort(key=lambda r: (r["type"] != "dir", r["name"]))
            for r in rows:
                if len(out) >= max_entries:
                    break
                full = posixpath.join(d, r["name"]) if d else r["name"]
                out.append({"path": full, "depth": level, **r})
                if r["type"] == "dir" and level + 1 < depth:
                    todo.append((full, level + 1))
        out.sort(key=lambda r: r["path"])
        return Listing(self.url.masked(base or self.cwd), base or self.cwd, out, "tree", extra=("path", "depth"))

    def to_frame(self):
        """The current directory as a DataFrame."""
        return self.ls().to_frame()

    def size(self, path: str) -> int | None:
        p = self._path(path)
        self._call("TYPE I", self._c.voidcmd, "TYPE I")
        try:
            return self._c.size(p)
        except ftplib.error_perm:
            return None
        except (ftplib.Error, OSError, EOFError) as e:
            raise self._error(e, f"SIZE {p}") from None

    # -- transfers ---------------------------------------------------------------------
    def get(self, remote: str, local=None, *, progress: bool | None = None) -> Transfer:
        """Download ``remote`` to ``local`` (a path, default the remote's file
        name in the current directory, or a binary file object)."""
        r = self._path(remote)
        total = self.size(r)
        if local is None:
            local = posixpath.basename(r.rstrip("/")) or "download"
        bar = Progress(f"get {posixpath.basename(r)}", total, self.progress if progress is None else progress)
        t0 = time.perf_counter()
        own = not hasattr(local, "write")
        target = os.fspath(local) if own else getattr(local, "name", "<file>")
        if own:  # a partial download never replaces an existing file
            folder = os.path.dirname(os.path.abspath(target))
            fd, tmp = tempfile.mkstemp(prefix=".ftp-", suffix=".part", dir=folder)
            fh = os.fdopen(fd, "wb")
        else:
            fh = local
        try:
            def write(chunk):
                fh.write(chunk)
                bar.add(len(chunk))
            self._call(f"RETR {r}", self._c.retrbinary, f"RETR {r}", write, BLOCK)
        except BaseException:
            if own:
                fh.close()
                os.remove(tmp)
            raise
        finally:
            bar.close()
        if own:
            fh.close()
            os.replace(tmp, target)
        t = Transfer("get", r, str(target), bar.done, time.perf_counter() - t0)
        self.transfers.append(t)
        return t

    def read(self, remote: str, max_bytes: int = 64 << 20) -> bytes:
        """The content of ``remote`` (bounded by ``max_bytes``)."""
        buf = io.BytesIO()
        r = self._path(remote)

        def write(chunk):
            if buf.tell() + len(chunk) > max_bytes:
                raise FTPError(f"{r} is larger than max_bytes={max_bytes:,}")
            buf.write(chunk)
        self._call(f"RETR {r}", self._c.retrbinary, f"RETR {r}", write, BLOCK)
        return buf.getvalue()

    def put(self, local, remote: str | None = None, *, progress: bool | None = None) -> Transfer:
        """Upload ``local`` (a path, bytes, or a binary file object) to
        ``remote`` (default: the local file name)."""
        if isinstance(local, (bytes, bytearray, memoryview)):
            fh, total, name, own = io.BytesIO(bytes(local)), len(local), "<bytes>", False
        elif hasattr(local, "read"):
            fh, total, name, own = local, None, getattr(local, "name", "<file>"), False
        else:
            name = os.fspath(local)
            fh, total, own = open(name, "rb"), os.path.getsize(name), True  # noqa: SIM115
        try:
            if remote is None:
                if name.startswith("<"):
                    raise FTPURLError("put(bytes_or_file) needs a remote name")
                remote = os.path.basename(name)
            r = self._path(remote)
            bar = Progress(f"put {posixpath.basename(r)}", total, self.progress if progress is None else progress)
            t0 = time.perf_counter()
            try:
                self._call(f"STOR {r}", self._c.storbinary, f"STOR {r}", fh, BLOCK, lambda b: bar.add(len(b)))
            finally:
                bar.close()
        finally:
            if own:
                fh.close()
        t = Transfer("put", r, str(name), bar.done, time.perf_counter() - t0)
        self.transfers.append(t)
        return t

    def transfers_frame(self):
        import pandas as pd

        return pd.DataFrame([vars(t) for t in self.transfers], columns=["direction", "remote", "local", "bytes", "seconds"])

    # -- changes --------------------------------------------------------------------------
    def mkdir(self, path: str) -> str:
        p = self._path(path)
        return self._call(f"MKD {p}", self._c.mkd, p)

    def rmdir(self, path: str) -> None:
        p = self._path(path)
        self._call(f"RMD {p}", self._c.rmd, p)

    def rm(self, path: str) -> None:
        """Delete a file (``rmdir`` removes an empty directory)."""
        p = self._path(path)
        self._call(f"DELE {p}", self._c.delete, p)

    def rename(self, old: str, new: str) -> None:
        o, n = self._path(old), self._path(new)
        self._call(f"RNFR {o}", self._c.rename, o, n)

    def command(self, line: str) -> str:
        """Send one raw command; its reply (CR/LF refused)."""
        c = self._path(line, "FTP command")
        return self._call(c.split(" ")[0], self._c.sendcmd, c)

    # -- lifecycle -----------------------------------------------------------------------
    def close(self) -> None:
        try:
            self._c.quit()
        except (ftplib.Error, OSError, EOFError, AttributeError):
            pass
        finally:
            self._c.close()

    quit = close

    @property
    def closed(self) -> bool:
        return self._c.sock is None

    # -- presenting ------------------------------------------------------------------------
    def _header(self) -> str:
        mode = ("passive" if self.passive else "active") + (", TLS" if self.tls else "")
        state = "closed" if self.closed else f"cwd {self.cwd}"
        return f"FTP {self.url.masked('/')} as {self.user} — {state} ({mode})"

    def __repr__(self):
        if self.closed:
            return f"<{self._header()}>"
        try:
            return self._header() + "\n" + repr(self.ls())
        except FTPError as e:
            return self._header() + f"\n({e})"

    def _repr_mimebundle_(self, include=None, exclude=None):
        from ..table.static import escape, static_html

        head = self._header()
        body = ""
        if not self.closed:
            try:
                lst = self.ls()
                body = static_html(lst.__table_source__(), rows=50, title=lst.title)
            except FTPError as e:
                body = f"<div>{escape(e)}</div>"
        return {"text/plain": repr(self), "text/html": f"<div class='netbook-ftp'><b>{escape(head)}</b></div>{body}"}


def _reply(e: BaseException) -> str:
    text = str(e.args[0]) if getattr(e, "args", None) else str(e)
    return text.strip().splitlines()[0] if text.strip() else type(e).__name__
