"""Showing web results: a Table's bundle with our own ``text/plain``."""
from __future__ import annotations


def table_bundle(table, text: str, include=None, exclude=None):
    """``table``'s mimebundle (widget + static HTML) with ``text`` as text/plain."""
    res = table._repr_mimebundle_(include=include, exclude=exclude)
    data, meta = res if isinstance(res, tuple) else (res, None)
    data = dict(data or {})
    data["text/plain"] = text
    return (data, meta) if meta else data
