"""Telnet: a client on telnetlib (``nb.telnet(url)``), the IAC vocabulary,
and transcripts that show option negotiation symbolically.  The lab server
is ``nb.serve.telnet``."""
from __future__ import annotations

from .client import LoginError, Negotiation, TelnetClient, TelnetTimeout, telnet
from .iac import render

__all__ = ["LoginError", "Negotiation", "TelnetClient", "TelnetTimeout", "render", "telnet"]


class _CallableModule(type(__import__("sys"))):
    """``nb.telnet(url)`` calls :func:`telnet`, though ``netbook.telnet`` is
    also this package (importing a submodule sets that attribute)."""

    def __call__(self, *args, **kwargs):
        return telnet(*args, **kwargs)


import sys as _sys  # noqa: E402 - the class above must exist first

_sys.modules[__name__].__class__ = _CallableModule
