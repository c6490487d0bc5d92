"""The phases of one HTTP exchange, in HAR 1.2's order and names (ms each;
-1 when a phase did not happen, as HAR says).  Shared by the Response
(``.timings_frame()``) and its views, which do not import each other."""
from __future__ import annotations

__all__ = ["TIMING_PHASES"]

TIMING_PHASES = ("blocked", "dns", "connect", "ssl", "send", "wait", "receive")
