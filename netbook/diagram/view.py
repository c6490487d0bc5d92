"""``Diagram``: one or more ladders as SVG, HTML (folds unfold in
``<details>``, hover is ``<title>``: both work without script) and text."""
from __future__ import annotations

import re

from ..transcript import ARROWS, CLIENT, SERVER
from .model import Ladder
from .svg import esc, render_ladder

__all__ = ["MAX_HTML_BYTES", "UNFOLD_MAX", "Diagram", "agreement"]

MAX_HTML_BYTES = 800_000  # everything one diagram sends to the browser, unfolded parts included
UNFOLD_MAX = 100  # repeats drawn when a fold is unfolded
MAX_UNFOLDS = 8
_PANEL_GAP = 16


def _norm(a, ladder: Ladder) -> tuple:
    """What both sides of one exchange must agree on: direction and text."""
    direction = CLIENT if a.src == 0 else SERVER
    return direction, a.kind if a.kind in ("body", "data", "option") else "", re.sub(r"\s+", " ", a.label.strip())


def agreement(a: Ladder, b: Ladder) -> str:
    """"" when the two ladders show the same arrows in the same order, else where they differ."""
    xs = [_norm(x, a) for x in a.arrows]
    ys = [_norm(y, b) for y in b.arrows]
    for i, (x, y) in enumerate(zip(xs, ys)):
        if x != y:
            return f"they differ at arrow {i + 1}: {ARROWS[x[0]]} {x[2][:60]!r} vs {ARROWS[y[0]]} {y[2][:60]!r}"
    if len(xs) != len(ys):
        return f"one side has {abs(len(xs) - len(ys)):,} more arrows ({len(xs):,} vs {len(ys):,})"
    return ""


class Diagram:
    """A ladder (sequence) diagram of one or more transcripts.

    ``.svg`` (static, selectable text, hover via ``<title>``), ``.html()``
    (the SVG plus folds that unfold in ``<details>``), ``.text()``,
    ``.to_frame()`` (one row per arrow), ``.save(path)``.  Several ladders
    sit side by side; ``.agrees`` says whether two views of one exchange
    (client and server) show the same arrows in the same order."""

    def __init__(self, ladders: list[Ladder], *, folded: bool = True, timed: bool = True,
                 headings: list[str] | None = None):
        if not ladders:
            raise ValueError("a diagram needs at least one transcript")
        self.ladders = list(ladders)
        self.folded = folded
        self.timed = timed
        self.headings = headings
        self._svg: str | None = None

    # -- structure ---------------------------------------------------------------------
    @property
    def ladder(self) -> Ladder:
        return self.ladders[0]

    @property
    def lanes(self) -> list[str]:
        return self.ladder.lanes

    @property
    def arrows(self):
        return self.ladder.arrows

    @property
    def folds(self):
        return self.ladder.folds() if self.folded else []

    @property
    def agrees(self) -> bool | None:
        """None for one ladder; else whether every ladder agrees with the first."""
        if len(self.ladders) < 2:
            return None
        return all(not agreement(self.ladders[0], other) for other in self.ladders[1:])

    def disagreement(self) -> str:
        return "; ".join(filter(None, (agreement(self.ladders[0], o) for o in self.ladders[1:])))

    # -- rendering ----------------------------------------------------------------------
    @property
    def svg(self) -> str:
        """One standalone ``<svg>`` (panels side by side when several)."""
        if self._svg is None:
            panels = [render_ladder(lad, folded=self.folded, timed=self.timed,
                                    heading=(self.headings[i] if self.headings and i < len(self.headings) else None))
                      for i, lad in enumerate(self.ladders)]
            if len(panels) == 1:
                self._svg = panels[0]
            else:
                sizes = [_size(p) for p in panels]
                width = sum(w for w, _ in sizes) + _PANEL_GAP * (len(panels) - 1)
                height = max(h for _, h in sizes) + 22
                x = 0
                inner = []
                for (w, _), p in zip(sizes, panels):
                    inner.append(p.replace("<svg ", f'<svg x="{x}" y="22" ', 1))
                    x += w + _PANEL_GAP
                verdict = self.disagreement()
                note = ("✓ both views agree: same arrows, same order" if not verdict else f"✗ {verdict}")
                color = "#15803d" if not verdict else "#dc2626"
                self._svg = (f'<svg xmlns="http://www.w3.org/2000/svg" class="netbook-ladders" width="{width}" '
                             f'height="{height}" viewBox="0 0 {width} {height}" data-agree="{str(not verdict).lower()}">'
                             f'<text x="8" y="15" font-size="12" font-family="sans-serif" fill="{color}">{esc(note)}</text>'
                             + "".join(inner) + "</svg>")
        return self._svg

    def html(self) -> str:
        # full size, scrolling sideways if wide (notebook CSS would shrink an SVG to the cell width)
        svg = self.svg.replace("<svg ", '<svg style="max-width:none;height:auto" ', 1)
        parts = [f'<div class="netbook-diagram" style="overflow-x:auto">{svg}']
        size = len(parts[0])
        if self.folded:
            for k, ladder in enumerate(self.ladders):
                for f in ladder.folds()[:MAX_UNFOLDS]:
                    shown = min(f.count, UNFOLD_MAX)
                    sub = Ladder(title=f"repeats 1–{shown:,} of {f.count:,}", lanes=ladder.lanes,
                                 arrows=ladder.arrows[f.start:f.start + shown * f.period], protocol=ladder.protocol)
                    svg = render_ladder(sub, folded=False, timed=False, max_rows=shown * f.period).replace(
                        "<svg ", '<svg style="max-width:none" ', 1)
                    more = f"<div style='color:#666;font-size:12px'>… {f.count - shown:,} more repeats not drawn</div>" \
                        if f.count > shown else ""
                    first = ladder.arrows[f.start].label
                    block = (f'<details class="netbook-unfold"><summary style="font-family:monospace;font-size:12px">'
                             f'{"panel " + str(k + 1) + ": " if len(self.ladders) > 1 else ""}× {f.count:,} · '
                             f'{esc(first[:70])} — unfold</summary>{svg}{more}</details>')
                    if size + len(block) > MAX_HTML_BYTES:
                        parts.append("<div style='color:#b91c1c;font-size:12px'>… further folds not unfoldable here "
                                     "(size bound); .to_frame() has every arrow</div>")
                        break
                    parts.append(block)
                    size += len(block)
        parts.append("</div>")
        return "".join(parts)

    def text(self) -> str:
        """The ladder as text: one line per arrow (folds as × n)."""
        out = []
        for ladder in self.ladders:
            out.append(f"{ladder.title} — lanes: {' | '.join(ladder.lanes)}")
            folds = {f.start: f for f in ladder.folds()} if self.folded else {}
            marks: dict[int, list] = {}
            for m in ladder.marks:
                marks.setdefault(m.at, []).append(m.text)
            i = 0
            while i < len(ladder.arrows):
                for m in marks.get(i, ()):
                    out.append(f"  ── {m} ──")
                f = folds.get(i)
                n = f.period if f else 1
                for a in ladder.arrows[i:i + n]:
                    src, dst = ladder.lanes[a.src], ladder.lanes[a.dst]
                    rep = f"  × {f.count:,}" if f else ""
                    out.append(f"  {src} → {dst}: {a.label}{rep}")
                i = f.end if f else i + 1
            for m in marks.get(len(ladder.arrows), ()):
                out.append(f"  ── {m} ──")
        if len(self.ladders) > 1:
            verdict = self.disagreement()
            out.append("both views agree" if not verdict else verdict)
        return "\n".join(out)

    def to_frame(self):
        """One row per arrow (every one, folded or not): panel, time, src, dst, label, kind, bytes."""
        import pandas as pd

        rows = []
        for k, ladder in enumerate(self.ladders):
            for i, a in enumerate(ladder.arrows):
                rows.append({"panel": k, "i": i, "t_ms": round(a.t * 1000, 3), "src": ladder.lanes[a.src],
                             "dst": ladder.lanes[a.dst], "label": a.label, "kind": a.kind, "bytes": a.nbytes})
        return pd.DataFrame(rows, columns=["panel", "i", "t_ms", "src", "dst", "label", "kind", "bytes"])

    def save(self, path) -> None:
        """Write the SVG (standalone, with its XML namespace) to ``path``."""
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.svg)

    def __repr__(self) -> str:
        lad = self.ladder
        more = f", {len(self.ladders)} panels" if len(self.ladders) > 1 else ""
        return (f"<Diagram {lad.protocol or 'lines'} {lad.title!r}: {len(lad.lanes)} lanes, "
                f"{len(lad.arrows):,} arrows, {len(self.folds)} folds{more}>")

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/html": self.html(), "image/svg+xml": self.svg, "text/plain": repr(self)}


def _size(svg: str) -> tuple[int, int]:
    w = re.search(r'width="(\d+)"', svg)
    h = re.search(r'height="(\d+)"', svg)
    return (int(w.group(1)) if w else 800, int(h.group(1)) if h else 400)
