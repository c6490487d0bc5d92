"""XML-RPC parsing with defusedxml's protections, for both sides, without
monkey-patching the standard library: an entity declaration, an external
entity or an external DTD in the XML is refused before anything expands."""
from __future__ import annotations

import xmlrpc.client

from defusedxml import DefusedXmlException
from defusedxml.xmlrpc import DefusedExpatParser

__all__ = ["getparser", "loads", "DefusedXmlException", "explain"]


def getparser(use_datetime: bool = False, use_builtin_types: bool = True):
    """(parser, unmarshaller) like ``xmlrpc.client.getparser``, defused."""
    u = xmlrpc.client.Unmarshaller(use_datetime=use_datetime, use_builtin_types=use_builtin_types)
    return DefusedExpatParser(u), u


def loads(data, use_datetime: bool = False, use_builtin_types: bool = True):
    """``xmlrpc.client.loads``, defused: (params, methodname)."""
    p, u = getparser(use_datetime, use_builtin_types)
    p.feed(data)
    p.close()
    return u.close(), u.getmethodname()


def explain(exc: BaseException) -> str:
    """One line for a refused or malformed XML document."""
    if isinstance(exc, DefusedXmlException):
        return f"XML refused ({type(exc).__name__}): entity declarations and external references are not allowed"
    return f"malformed XML ({type(exc).__name__}: {exc})"
