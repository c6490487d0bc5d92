"""The state of one fetch that its handlers observe: the transcript, the
hops, the timings of the current hop, the proxies used.  One per thread
(``current()``); ``client.fetch`` sets it, the transports (sockets in
``client``, the in-process WSGI handler) record into it."""
from __future__ import annotations

import threading
import time
from datetime import datetime, timezone

from ..transcript import Transcript
from .proxies import Proxy
from .response import Hop

__all__ = ["current", "note_request"]

_local = threading.local()


class _Exchange:
    def __init__(self, transcript: Transcript):
        self.transcript = transcript
        self.hops: list[Hop] = []
        self.current: dict = {}
        self.last_req = None
        self.proxies: list[Proxy] = []

    def begin(self):
        self.current = {"start": time.perf_counter(), "dns": -1.0, "connect": -1.0, "ssl": -1.0,
                        "conn_end": None, "started": datetime.now(timezone.utc)}
        return self.current


def _exchange() -> _Exchange | None:
    return getattr(_local, "exchange", None)


current = _exchange


def note_request(req) -> None:
    """Transports call this with each request they are about to send."""
    ex = _exchange()
    if ex:
        ex.last_req = req
