"""FETCH for netbook's IMAP server: data items and macros, ENVELOPE and
BODYSTRUCTURE, BODY[section]<partial> and BINARY sections, PEEK and the
\\Seen flag it does not set."""
from __future__ import annotations

import re
from typing import Any, Callable

from ..mail.mime import Entity, bodystructure, envelope, imap_string
from ..mail.store import StoreError
from ._imap_syntax import _SECTION, Bad, Quoted, astring, imap_date

__all__ = ["FetchCommands"]


class FetchCommands:
    """Mixed into the IMAP handler: ``FETCH`` / ``UID FETCH``."""

    # the handler's session state this mixin reads (set by IMAPHandler)
    folder: Any
    view: list
    readonly: bool
    _flag_list: Callable[[Any], str]

    def cmd_FETCH(self, tag, args, uid):
        if len(args) != 2:
            raise Bad("FETCH set items")
        spec = args[1]
        if isinstance(spec, str) and not isinstance(spec, Quoted):
            macro = {"ALL": ["FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE"],
                     "FAST": ["FLAGS", "INTERNALDATE", "RFC822.SIZE"],
                     "FULL": ["FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODY"]}.get(spec.upper())
            items = macro or [spec]
        elif isinstance(spec, list):
            items = spec
        else:
            raise Bad("bad FETCH items")
        items = [astring(i) if not isinstance(i, list) else i for i in items]
        if any(isinstance(i, list) for i in items):
            raise Bad("bad FETCH items")
        if uid and not any(i.upper() == "UID" for i in items):
            items = ["UID"] + items
        for i in items:
            if not (i.upper() in ("UID", "FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODYSTRUCTURE", "BODY",
                                  "RFC822", "RFC822.HEADER", "RFC822.TEXT") or _SECTION.match(i)):
                raise Bad(f"unknown FETCH item {i}")
        for seq, e in self.messages(str(args[0]), uid):
            try:
                self.write(self._fetch_one(seq, e, items))
            except StoreError:
                continue

    def _fetch_one(self, seq, e, items) -> bytes:
        f = self.folder
        out = []
        data = ent = None
        set_seen = False

        def wire():
            nonlocal data
            if data is None:
                data = f.wire(e)
            return data

        def entity():
            nonlocal ent
            if ent is None:
                ent = Entity(wire())
            return ent

        for item in items:
            up = item.upper()
            if up == "UID":
                out.append(b"UID %d" % e.uid)
            elif up == "FLAGS":
                continue  # added at the end, after \Seen may have been set
            elif up == "INTERNALDATE":
                out.append(b'INTERNALDATE "' + imap_date(e.internaldate).encode() + b'"')
            elif up == "RFC822.SIZE":
                out.append(b"RFC822.SIZE %d" % f.size(e))
            elif up == "ENVELOPE":
                out.append(b"ENVELOPE " + envelope(entity().headers))
            elif up in ("BODYSTRUCTURE", "BODY"):
                out.append(up.encode() + b" " + bodystructure(entity(), extensible=up == "BODYSTRUCTURE"))
            elif up == "RFC822":
                out.append(b"RFC822 " + imap_string(wire()) if False else b"RFC822 {%d}\r\n" % len(wire()) + wire())
                set_seen = True
            elif up == "RFC822.HEADER":
                h = entity().header
                out.append(b"RFC822.HEADER {%d}\r\n" % len(h) + h)
            elif up == "RFC822.TEXT":
                b = entity().body
                out.append(b"RFC822.TEXT {%d}\r\n" % len(b) + b)
                set_seen = True
            else:
                m = _SECTION.match(item)
                assert m is not None  # cmd_FETCH let only known items and BODY[...] sections through
                name, section, start, length = m.group(1).upper(), m.group(2), m.group(3), m.group(4)
                content = self._section(entity(), section)
                label = f"{name.replace('.PEEK', '')}[{section.upper()}]"
                if start is not None:
                    s = int(start)
                    content = content[s: s + int(length) if length is not None else None]
                    label += f"<{s}>"
                out.append(label.encode() + b" {%d}\r\n" % len(content) + content)
                if ".PEEK" not in name:
                    set_seen = True
        if set_seen and not self.readonly and "\\Seen" not in e.flags:
            f.set_flags(e, e.flags | {"\\Seen"})
            if not any(i.upper() == "FLAGS" for i in items):
                out.append(b"FLAGS " + self._flag_list(e).encode())
        if any(i.upper() == "FLAGS" for i in items):
            out.append(b"FLAGS " + self._flag_list(e).encode())
        return b"* %d FETCH (" % seq + b" ".join(out) + b")\r\n"

    def _section(self, ent: Entity, section: str) -> bytes:
        m = re.fullmatch(r"((?:\d+\.)*\d+)?\.?(HEADER\.FIELDS\.NOT|HEADER\.FIELDS|HEADER|TEXT|MIME)?\s*(\(.*\))?", section.strip(), re.I)
        if not m:
            raise Bad(f"bad section {section!r}")
        part, what, fields = m.group(1) or "", (m.group(2) or "").upper(), m.group(3)
        try:
            target = ent.part(part) if part else ent
        except LookupError:
            return b""
        if what in ("HEADER", "HEADER.FIELDS", "HEADER.FIELDS.NOT", "TEXT") and part and target.ctype == "message/rfc822":
            target = target.children[0]
        if not what:
            return target.body if part else target.raw
        if what == "MIME":
            return target.header
        if what == "TEXT":
            return target.body
        if what == "HEADER":
            return target.header
        if not fields:
            raise Bad(f"{what} needs a list of fields")
        names = {n.lower() for n in re.findall(r"[^\s()\"]+", fields)}
        keep_if = (lambda n: n in names) if what == "HEADER.FIELDS" else (lambda n: n not in names)
        out, current = [], False
        for line in target.header.split(b"\r\n"):
            if not line:
                continue
            if line[:1] in (b" ", b"\t"):
                if current:
                    out.append(line)
                continue
            current = keep_if(line.split(b":", 1)[0].strip().decode("ascii", "replace").lower())
            if current:
                out.append(line)
        return b"\r\n".join(out) + (b"\r\n" if out else b"") + b"\r\n"
