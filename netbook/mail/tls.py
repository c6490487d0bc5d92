"""Moved to :mod:`netbook.tls` (it serves FTP and news too); these names stay importable here."""
from __future__ import annotations

from ..tls import client_context, make_certificate, server_context, tls_context

__all__ = ["make_certificate", "server_context", "client_context", "tls_context"]
