"""SEARCH for netbook's IMAP server: the criteria (RFC 3501 6.4.4) compiled
to one predicate over (sequence number, store entry, parsed message), the
message parsed lazily, at most once per hit test."""
from __future__ import annotations

import email
import email.policy
import re
from typing import Any
from datetime import datetime, timezone

from ..mail.mime import Entity
from ._imap_syntax import Bad, No, astring, in_set, parse_search_date, parse_set

__all__ = ["SearchCommands"]


class SearchCommands:
    """Mixed into the IMAP handler: ``SEARCH`` / ``UID SEARCH``."""

    # the handler's session state this mixin reads (set by IMAPHandler)
    folder: Any
    view: list
    recent: set

    def cmd_SEARCH(self, tag, args, uid):
        if args and str(args[0]).upper() == "CHARSET":
            if len(args) < 2 or astring(args[1]).upper() not in ("UTF-8", "US-ASCII"):
                raise No("[BADCHARSET (UTF-8 US-ASCII)] charset not supported")
            args = args[2:]
        if not args:
            raise Bad("SEARCH needs criteria")
        pred = self._criteria(list(args))
        hits = [str(e.uid if uid else seq) for seq, e in enumerate(self.view, 1) if pred(seq, e, _Lazy(self.folder, e))]
        self.untagged("SEARCH" + ("" if not hits else " " + " ".join(hits)))

    def _criteria(self, toks: list):
        preds = []
        while toks:
            preds.append(self._key(toks))
        return lambda s, e, m: all(p(s, e, m) for p in preds)

    def _key(self, toks: list):
        tok = toks.pop(0)
        if isinstance(tok, list):
            inner = self._criteria(list(tok))
            return inner

        def arg():
            if not toks:
                raise Bad(f"{tok} needs an argument")
            return astring(toks.pop(0))

        k = astring(tok).upper()
        flag_keys = {"ANSWERED": "\\Answered", "DELETED": "\\Deleted", "DRAFT": "\\Draft", "FLAGGED": "\\Flagged", "SEEN": "\\Seen"}
        if k == "ALL":
            return lambda s, e, m: True
        if k in flag_keys:
            f = flag_keys[k]
            return lambda s, e, m: f in e.flags
        if k.startswith("UN") and k[2:] in flag_keys:
            f = flag_keys[k[2:]]
            return lambda s, e, m: f not in e.flags
        if k == "RECENT":
            return lambda s, e, m: e.key in self.recent
        if k == "NEW":
            return lambda s, e, m: e.key in self.recent and "\\Seen" not in e.flags
        if k == "OLD":
            return lambda s, e, m: e.key not in self.recent
        if k in ("KEYWORD", "UNKEYWORD"):
            kw = arg()
            return (lambda s, e, m: kw in e.flags) if k == "KEYWORD" else (lambda s, e, m: kw not in e.flags)
        if k in ("FROM", "TO", "CC", "BCC", "SUBJECT"):
            needle = arg().lower()
            return lambda s, e, m: needle in m.header(k).lower()
        if k == "HEADER":
            name, needle = arg(), arg().lower()
            return lambda s, e, m: (name.lower() in m.names()) and needle in m.header(name).lower()
        if k == "BODY":
            needle = arg().lower()
            return lambda s, e, m: needle in m.body().lower()
        if k == "TEXT":
            needle = arg().lower()
            return lambda s, e, m: needle in m.text().lower()
        if k in ("BEFORE", "ON", "SINCE"):
            d = parse_search_date(arg())
            op = {"BEFORE": lambda x: x < d, "ON": lambda x: x == d, "SINCE": lambda x: x >= d}[k]
            return lambda s, e, m: op(datetime.fromtimestamp(e.internaldate, timezone.utc).date())
        if k in ("SENTBEFORE", "SENTON", "SENTSINCE"):
            d = parse_search_date(arg())
            op = {"SENTBEFORE": lambda x: x < d, "SENTON": lambda x: x == d, "SENTSINCE": lambda x: x >= d}[k]
            return lambda s, e, m: m.sent() is not None and op(m.sent())
        if k in ("LARGER", "SMALLER"):
            try:
                n = int(arg())
            except ValueError:
                raise Bad(f"{k} needs a number") from None
            return (lambda s, e, m: self.folder.size(e) > n) if k == "LARGER" else (lambda s, e, m: self.folder.size(e) < n)
        if k == "UID":
            ranges = parse_set(arg(), self.view[-1].uid if self.view else 0)
            return lambda s, e, m: in_set(e.uid, ranges)
        if k == "NOT":
            if not toks:
                raise Bad("NOT needs a key")
            p = self._key(toks)
            return lambda s, e, m: not p(s, e, m)
        if k == "OR":
            if len(toks) < 2:
                raise Bad("OR needs two keys")
            a = self._key(toks)
            b = self._key(toks)
            return lambda s, e, m: a(s, e, m) or b(s, e, m)
        if re.fullmatch(r"[\d*:,]+", k):
            ranges = parse_set(k, len(self.view))
            return lambda s, e, m: in_set(s, ranges)
        raise Bad(f"unknown search key {tok}")


class _Lazy:
    """Parsed views of one message, computed once per SEARCH hit test."""

    def __init__(self, folder, entry):
        self.folder, self.entry = folder, entry
        self._ent = self._msg = None

    def _entity(self):
        if self._ent is None:
            self._ent = Entity(self.folder.wire(self.entry))
        return self._ent

    def names(self):
        return {k.lower() for k in self._entity().headers.keys()}

    def header(self, name) -> str:
        from ..mail.message import decode_header

        return " ".join(decode_header(v) for v in self._entity().headers.get_all(name) or [])

    def sent(self):
        from ..mail.store import _date

        d = _date(self._entity().headers.get("Date"))
        return d.date() if d else None

    def message(self):
        if self._msg is None:
            self._msg = email.message_from_bytes(self.folder.wire(self.entry), policy=email.policy.default)
        return self._msg

    def body(self) -> str:
        texts = []
        for part in self.message().walk():
            if part.get_content_maintype() == "text":
                try:
                    texts.append(part.get_content())
                except (LookupError, ValueError, KeyError, AssertionError):
                    texts.append((part.get_payload(decode=True) or b"").decode("utf-8", "replace"))
        return "\n".join(texts)

    def text(self) -> str:
        return self._entity().header.decode("utf-8", "replace") + "\n" + self.body()
