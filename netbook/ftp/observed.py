"""ftplib.FTP / FTP_TLS, observed: the control socket is traced into an
FTPTranscript and each data connection adds one summary row."""
from __future__ import annotations

import ftplib
import socket
import time

from ..connection import Traced
from ..transcript import CLIENT, SERVER
from .transcript import FTPTranscript

__all__ = ["ObservedFTP", "ObservedFTPTLS"]

class _Observed(Traced):
    """Mixed into ftplib.FTP/FTP_TLS: the control socket is traced into an
    FTPTranscript; each data connection adds a summary row.  (ftplib has no
    socket hook: ``connect`` is ftplib's, with the socket traced.)"""

    _nb_transcript: FTPTranscript
    _nb_file_mode = "r"
    _nb_data: dict | None = None

    def connect(self, host="", port=0, timeout=-999, source_address=None):
        if host:
            self.host = host
        if port > 0:
            self.port = port
        if timeout != -999:
            self.timeout = timeout
        sock = socket.create_connection((self.host, self.port), self.timeout, source_address=source_address)
        self.sock = self._nb_trace(sock)
        self.af = sock.family
        self.file = self.sock.makefile("r", encoding=self.encoding)
        self.welcome = self.getresp()
        return self.welcome

    def auth(self):  # FTP_TLS: keep tracing the control connection after AUTH TLS
        resp = super().auth()
        self._nb_retrace()
        return resp

    def ntransfercmd(self, cmd, rest=None):
        conn, size = super().ntransfercmd(cmd, rest)
        try:
            h, p = conn.getpeername()[:2]
            peer = f"{h}:{p}"
        except OSError:
            peer = "?"
        self._nb_data = {"cmd": cmd, "peer": peer, "bytes": 0, "t0": time.perf_counter(),
                         "mode": "passive" if self.passiveserver else "active"}
        return conn, size

    def _nb_resync(self, e: BaseException):
        """A transfer stopped on our side (a callback raised, a local write
        failed): read the server's pending final reply (426/226) so the next
        command does not receive it."""
        if isinstance(e, ftplib.Error) or self._nb_data is None or self.sock is None:
            return
        old = self.sock.gettimeout()
        try:
            self.sock.settimeout(5)
            self.getresp()
        except Exception:  # noqa: BLE001 - best effort; the original error is what matters
            pass
        finally:
            try:
                self.sock.settimeout(old)
            except OSError:
                pass

    def _nb_count(self, n: int):
        if self._nb_data is not None:
            self._nb_data["bytes"] += n

    def _nb_done(self, ok: bool):
        d, self._nb_data = self._nb_data, None
        if d is None:
            return
        up = d["cmd"].split(" ")[0].upper() in ("STOR", "APPE", "STOU")
        ms = (time.perf_counter() - d["t0"]) * 1000
        status = "" if ok else " (incomplete)"
        self._nb_transcript.data_summary(
            CLIENT if up else SERVER,
            f"{d['cmd']}: {d['bytes']:,} bytes, {d['mode']}, {d['peer']}{status}", d["bytes"])
        self._nb_last = {"bytes": d["bytes"], "ms": ms}

    def retrbinary(self, cmd, callback, blocksize=8192, rest=None):
        def cb(data):
            self._nb_count(len(data))
            callback(data)
        ok = False
        try:
            r = super().retrbinary(cmd, cb, blocksize, rest)
            ok = True
            return r
        except Exception as e:
            self._nb_resync(e)
            raise
        finally:
            self._nb_done(ok)

    def retrlines(self, cmd, callback=None):
        cb0 = callback or (lambda line: None)

        def cb(line):
            self._nb_count(len(line.encode(self.encoding, "replace")) + 2)
            cb0(line)
        ok = False
        try:
            r = super().retrlines(cmd, cb)
            ok = True
            return r
        finally:
            self._nb_done(ok)

    def storbinary(self, cmd, fp, blocksize=8192, callback=None, rest=None):
        def cb(buf):
            self._nb_count(len(buf))
            if callback:
                callback(buf)
        ok = False
        try:
            r = super().storbinary(cmd, fp, blocksize, cb, rest)
            ok = True
            return r
        except Exception as e:
            self._nb_resync(e)
            raise
        finally:
            self._nb_done(ok)


class ObservedFTP(_Observed, ftplib.FTP):
    def __init__(self, transcript, timeout):
        super().__init__(transcript, timeout=timeout)


class ObservedFTPTLS(_Observed, ftplib.FTP_TLS):
    def __init__(self, transcript, timeout, context):
        super().__init__(transcript, timeout=timeout, context=context)
