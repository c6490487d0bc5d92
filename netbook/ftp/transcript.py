"""An FTP session's transcript: the control connection, line by line, plus
one summary row per data connection (FTP moves data on a second socket)."""
from __future__ import annotations

import heapq
import time
from datetime import datetime, timezone

from ..transcript import Transcript

__all__ = ["FTPTranscript"]


class FTPTranscript(Transcript):
    """A :class:`~netbook.transcript.Transcript` of the control connection
    (PASS masked) plus ``[data] ...`` rows: direction = where the data
    flowed, bytes = how many crossed the data connection."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.data: list[tuple[float, str, str, int]] = []

    def data_summary(self, direction: str, text: str, nbytes: int) -> None:
        """Add one data-connection row (``direction`` is ``"C>S"`` or ``"S>C"``)."""
        with self._lock:
            self.data.append((time.time(), direction, "[data] " + text, int(nbytes)))

    def lines(self, reveal: bool = False, max_line: int = 400):
        ctrl = list(super().lines(reveal=reveal, max_line=max_line))
        with self._lock:
            data = [(datetime.fromtimestamp(t, timezone.utc), d, text, n) for t, d, text, n in self.data]
        if not data:
            yield from ctrl
            return
        yield from heapq.merge(ctrl, data, key=lambda row: row[0])
