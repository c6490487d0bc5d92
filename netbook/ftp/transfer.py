"""Transfers: the result of a get/put, and the notebook progress bar."""
from __future__ import annotations

import time
from dataclasses import dataclass

__all__ = ["Transfer", "Progress"]

@dataclass
class Transfer:
    """One finished get/put: direction, paths, bytes, seconds."""

    direction: str  # "get" or "put"
    remote: str
    local: str
    bytes: int
    seconds: float

    def __repr__(self):
        arrow = f"{self.remote} → {self.local}" if self.direction == "get" else f"{self.local} → {self.remote}"
        return f"{self.direction} {arrow}: {self.bytes:,} bytes in {self.seconds * 1000:,.1f} ms"

    @property
    def rate(self) -> float:
        """Bytes per second."""
        return self.bytes / self.seconds if self.seconds > 0 else float("inf")


class Progress:
    """An ipywidgets bar in a live notebook (nothing elsewhere), updated at
    most ~10 times per second."""

    def __init__(self, label: str, total: int | None, enabled: bool = True):
        self.bar = None
        self.total = total
        self.done = 0
        self._last = 0.0
        if not enabled:
            return
        try:
            from IPython import get_ipython

            ip = get_ipython()
            if ip is None or not hasattr(ip, "kernel"):
                return
            import ipywidgets as w
            from IPython.display import display

            self.bar = w.IntProgress(value=0, min=0, max=max(total or 1, 1), description=label[:20])
            self.label = w.Label("")
            display(w.HBox([self.bar, self.label]))
        except Exception:  # noqa: BLE001 - no front-end: no bar
            self.bar = None

    def add(self, n: int):
        self.done += n
        if self.bar is None:
            return
        now = time.monotonic()
        if now - self._last >= 0.1:
            self._last = now
            self._show()

    def _show(self):
        if self.bar is None:
            return
        if self.total:
            self.bar.value = min(self.done, self.total)
        self.label.value = f"{self.done:,}" + (f" / {self.total:,} bytes" if self.total else " bytes")

    def close(self):
        if self.bar is not None:
            self.bar.max = max(self.done, 1) if not self.total else self.bar.max
            self.done = self.done
            self._show()
            self.bar.bar_style = "success"
