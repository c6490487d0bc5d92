"""Pictures of conversations: ladder (sequence) diagrams of transcripts and
timing waterfalls of HTTP requests, drawn as plain SVG (no script, no
network: JupyterLab, nbconvert HTML and GitHub all show them).

    transcript.diagram()          # a Diagram (lanes, arrows, folds)
    nb.diagram(client_t, server_t) # side by side; .agrees
    nb.http.waterfall(x)          # Response, Session, fetch_many frame, HAR dict or path
                                  # (drawn by netbook.diagram.waterfall)
"""
from __future__ import annotations

import sys
import types

__all__ = ["Diagram", "Waterfall", "diagram"]


def diagram(*transcripts, reveal: bool = False, protocol: str | None = None, folded: bool = True,
            timed: bool = True, proxy: str = ""):
    """A Diagram of one transcript, or several side by side (say a client's
    and a server's view of one exchange: ``.agrees`` checks they match).
    Secrets are masked as in the transcript unless ``reveal=True``."""
    from .ladder import build
    from .view import Diagram

    if not transcripts:
        raise ValueError("nb.diagram needs at least one transcript")
    ladders = []
    for t in transcripts:
        if not hasattr(t, "lines"):
            t = getattr(t, "transcript", t)
        if not hasattr(t, "lines"):
            raise TypeError(f"nb.diagram draws transcripts, not {type(t).__name__}")
        ladders.append(build(t, reveal=reveal, protocol=protocol, proxy=proxy))
    headings = None
    if len(ladders) > 1:
        headings = [f"{getattr(t, 'side', '') or 'one'} view: {lad.title}" for t, lad in zip(transcripts, ladders)]
    return Diagram(ladders, folded=folded, timed=timed, headings=headings)


def __getattr__(name):
    if name == "Diagram":
        from .view import Diagram

        return Diagram
    if name == "Waterfall":
        from .waterfall import Waterfall

        return Waterfall
    raise AttributeError(f"module 'netbook.diagram' has no attribute {name!r}")


class _CallableModule(types.ModuleType):
    """``nb.diagram(*transcripts)`` calls :func:`diagram` (the package is also ``netbook.diagram``)."""

    def __call__(self, *transcripts, **options):
        return diagram(*transcripts, **options)


sys.modules[__name__].__class__ = _CallableModule
