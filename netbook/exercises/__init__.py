"""Self-checking exercises for every lab: ``nb.labs.exercises(lab, seed=...)``.

    ex = nb.labs.exercises("http", seed=7)   # starts the lab servers it needs
    ex                                        # the questions
    ex[0].params                              # this sheet's numbers (paths, names...)
    ex[0].check(answer)                       # ✓, or ✗ with a hint
    ex[0].hint(); ex[0].solution()            # the worked answer, on request
    ex.stop()                                 # (or: with nb.labs.exercises(...) as ex:)

Labs: http, web, mail, ipnet (alias ip), ftp, news, telnet.  The same seed
gives the same sheet; answers come from the live lab servers or the standard
library, never typed in.
"""
from __future__ import annotations

import importlib

from ..checks import Check, Exercise, NotYet, Sheet

__all__ = ["exercises", "labs", "Check", "Exercise", "NotYet", "Sheet"]

_LABS = {"http": "http", "web": "web", "mail": "mail", "ipnet": "ipnet", "ip": "ipnet", "ftp": "ftp",
         "news": "news", "telnet": "telnet"}


def labs() -> list[str]:
    """The labs that have exercises."""
    return sorted(set(_LABS) - {"ip"})


def exercises(lab: str, seed: int = 0) -> Sheet:
    """The exercise sheet of ``lab`` for ``seed`` (a student number works well)."""
    key = str(lab).lower().lstrip("0123456789-")  # "01-http" works too
    if key not in _LABS:
        raise ValueError(f"no exercises for lab {lab!r}; labs: {', '.join(labs())}")
    module = importlib.import_module(f"{__name__}.{_LABS[key]}")
    return module.sheet(int(seed))
