"""The ladder's data: lanes, arrows (one per protocol line or turn),
marks (TLS started, authenticated) and folds (a repeated exchange drawn
once, "× 1,000")."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["MAX_PERIOD", "MIN_REPEATS", "Arrow", "Fold", "Ladder", "Mark", "fold"]

MIN_REPEATS = 3  # an exchange repeated at least this many times in a row folds
MAX_PERIOD = 4  # folds look for repeated blocks of up to this many arrows

# arrow kinds: the colour of the arrow and what it means
KINDS = ("command", "reply", "error", "body", "data", "option", "auth", "continuation", "note")


@dataclass
class Arrow:
    """One message: ``src`` → ``dst`` lane indexes, its text (secrets
    masked as in the transcript), bytes, seconds since the start."""

    t: float
    src: int
    dst: int
    label: str
    nbytes: int = 0
    kind: str = "command"
    detail: str = ""  # hover text: the lines it stands for (bounded)
    pair: int | None = None  # IMAP: index of the tagged command this completion answers
    via: int | None = None  # a lane the message passes through (an HTTP proxy relaying it)

    def signature(self) -> tuple:
        """What makes two arrows "the same exchange" for folding: the
        direction, kind and the text with numbers, tags and quoted
        strings blanked out."""
        text = _TAG.sub("", self.label)
        text = _QUOTED.sub('"…"', text)
        text = _NUMBER.sub("#", text)
        return (self.src, self.dst, self.kind, text)


_TAG = re.compile(r"^[A-Za-z]*\d+[A-Za-z0-9]*\s+(?=[A-Z])")  # IMAP-style tags ("A0012 FETCH")
_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')
_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")


@dataclass
class Mark:
    """A horizontal band across the lanes before arrow ``at``: TLS started,
    authenticated, a redirect, a proxy tunnel."""

    at: int
    text: str
    kind: str = "tls"  # tls | auth | autherror | note


@dataclass
class Fold:
    """Arrows ``start .. start + period*count`` are ``count`` repeats of the
    first ``period`` arrows."""

    start: int
    period: int
    count: int

    @property
    def end(self) -> int:
        return self.start + self.period * self.count


@dataclass
class Ladder:
    """A sequence diagram: lanes left to right, arrows top to bottom."""

    title: str
    lanes: list[str]
    arrows: list[Arrow] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    protocol: str = ""
    truncated: bool = False  # the transcript itself was cut at its max_bytes

    def folds(self) -> list[Fold]:
        """The folds (computed once per arrow count: the SVG, the unfold blocks and the text share them)."""
        cached = self.__dict__.get("_folds")
        if cached is None or cached[0] != len(self.arrows):
            cached = (len(self.arrows), fold(self.arrows))
            self.__dict__["_folds"] = cached
        return cached[1]


def fold(arrows: list[Arrow], min_repeats: int = MIN_REPEATS, max_period: int = MAX_PERIOD) -> list[Fold]:
    """Runs of a repeated block of 1..max_period arrows (by signature),
    repeated at least ``min_repeats`` times, left to right, non-overlapping."""
    sigs = [a.signature() for a in arrows]
    n = len(sigs)
    out: list[Fold] = []
    i = 0
    while i < n:
        best = None
        for p in range(1, max_period + 1):
            if i + p * min_repeats > n:
                break
            block = sigs[i:i + p]
            count = 1
            while i + (count + 1) * p <= n and sigs[i + count * p:i + (count + 1) * p] == block:
                count += 1
            if count >= min_repeats and (best is None or p * count > best.period * best.count):
                best = Fold(i, p, count)
        if best is not None:
            out.append(best)
            i = best.end
        else:
            i += 1
    return out
