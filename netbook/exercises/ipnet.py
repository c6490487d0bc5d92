"""04-ipnet exercises: subnetting, answers computed by ``ipaddress``
(they live in :mod:`netbook.ip.lab`; ``nb.ip.lab.exercises`` is the same sheet)."""
from __future__ import annotations

from ..ip.lab import sheet

__all__ = ["sheet"]
