"""Raw MIME structure for the IMAP server: exact byte ranges of parts,
BODYSTRUCTURE and ENVELOPE, IMAP strings.  Parsing of headers is the
standard ``email`` package's; splitting keeps the original bytes so sizes and
``BODY[n]`` sections are what was stored."""
from __future__ import annotations

import email.parser
import email.policy
import email.utils

__all__ = ["Entity", "imap_string", "imap_nstring", "bodystructure", "envelope"]

_HP = email.parser.BytesHeaderParser(policy=email.policy.compat32)


def imap_string(value) -> bytes:
    """An IMAP string: quoted when safe, a literal otherwise."""
    if value is None:
        return b"NIL"
    if isinstance(value, str):
        value = value.encode("utf-8", "surrogateescape")
    if any(c > 126 or c in (13, 10, 0) for c in value) or len(value) > 1000:
        return b"{%d}\r\n" % len(value) + value
    return b'"' + value.replace(b"\\", b"\\\\").replace(b'"', b'\\"') + b'"'


def imap_nstring(value) -> bytes:
    return b"NIL" if value is None else imap_string(value)


class Entity:
    """One MIME entity over its raw CRLF bytes."""

    def __init__(self, raw: bytes, depth: int = 0):
        self.raw = raw
        i = raw.find(b"\r\n\r\n")
        if raw.startswith(b"\r\n"):
            self.header, self.body = b"\r\n", raw[2:]
        elif i < 0:
            self.header, self.body = raw, b""
        else:
            self.header, self.body = raw[: i + 4], raw[i + 4:]
        self.headers = _HP.parsebytes(self.header)
        self.depth = depth
        self._children = None

    @property
    def ctype(self) -> str:
        return self.headers.get_content_type()

    @property
    def maintype(self) -> str:
        return self.ctype.split("/")[0]

    @property
    def subtype(self) -> str:
        return self.ctype.split("/")[1]

    def params(self):
        out = []
        for k, v in (self.headers.get_params() or [])[1:]:
            out.append((k, email.utils.collapse_rfc2231_value(v) if isinstance(v, tuple) else v))
        if not out and self.maintype == "text":
            out.append(("charset", "us-ascii"))
        return out

    @property
    def children(self) -> list["Entity"]:
        if self._children is None:
            self._children = []
            if self.depth > 40:
                return self._children
            if self.maintype == "multipart":
                boundary = self.headers.get_boundary()
                if boundary:
                    delim = b"\r\n--" + boundary.encode("utf-8", "replace")
                    chunks = (b"\r\n" + self.body).split(delim)
                    for chunk in chunks[1:]:
                        if chunk.startswith(b"--"):
                            break
                        nl = chunk.find(b"\r\n")
                        self._children.append(Entity(chunk[nl + 2:] if nl >= 0 else b"", self.depth + 1))
            elif self.ctype == "message/rfc822":
                self._children = [Entity(self.body, self.depth + 1)]
        return self._children

    def part(self, spec: str) -> "Entity":
        """The entity for a part number like ``"1.2"`` (``""`` is this one)."""
        ent = self
        for n in [int(x) for x in spec.split(".") if x]:
            if ent.ctype == "message/rfc822":
                ent = ent.children[0]
            kids = ent.children if ent.maintype == "multipart" else None
            if kids is None:
                if n != 1:
                    raise LookupError(spec)
                continue  # part 1 of a single-part entity is its body
            if not 1 <= n <= len(kids):
                raise LookupError(spec)
            ent = kids[n - 1]
        return ent


def _params(ent: Entity) -> bytes:
    ps = ent.params()
    if not ps:
        return b"NIL"
    return b"(" + b" ".join(imap_string(k.upper()) + b" " + imap_string(v) for k, v in ps) + b")"


def _disposition(ent: Entity) -> bytes:
    disp = ent.headers.get("Content-Disposition")
    if not disp:
        return b"NIL"
    kind = disp.split(";")[0].strip()
    ps = [(k, email.utils.collapse_rfc2231_value(v) if isinstance(v, tuple) else v)
          for k, v in (ent.headers.get_params(header="content-disposition") or [])[1:]]
    pl = b"(" + b" ".join(imap_string(k.upper()) + b" " + imap_string(v) for k, v in ps) + b")" if ps else b"NIL"
    return b"(" + imap_string(kind) + b" " + pl + b")"


def bodystructure(ent: Entity, extensible: bool = True) -> bytes:
    if ent.maintype == "multipart" and ent.children:
        out = b"(" + b"".join(bodystructure(c, extensible) for c in ent.children) + b" " + imap_string(ent.subtype.upper())
        if extensible:
            out += b" " + _params(ent) + b" " + _disposition(ent) + b" NIL NIL"
        return out + b")"
    h = ent.headers
    enc = (h.get("Content-Transfer-Encoding") or "7BIT").strip().upper()
    fields = [
        imap_string(ent.maintype.upper()), imap_string(ent.subtype.upper()), _params(ent),
        imap_nstring(h.get("Content-ID")), imap_nstring(h.get("Content-Description")), imap_string(enc),
        str(len(ent.body)).encode(),
    ]
    if ent.ctype == "message/rfc822" and ent.children:
        inner = ent.children[0]
        fields += [envelope(inner.headers), bodystructure(inner, extensible), str(ent.body.count(b"\n")).encode()]
    elif ent.maintype == "text":
        fields.append(str(ent.body.count(b"\n")).encode())
    if extensible:
        fields += [imap_nstring(h.get("Content-MD5")), _disposition(ent), b"NIL", b"NIL"]
    return b"(" + b" ".join(fields) + b")"


def _addresses(h, name, default=None) -> bytes:
    values = h.get_all(name) or (h.get_all(default) if default else None)
    if not values:
        return b"NIL"
    out = []
    for display, addr in email.utils.getaddresses([str(v) for v in values]):
        if not addr and not display:
            continue
        mailbox, _, host = addr.partition("@")
        out.append(b"(" + imap_nstring(display or None) + b" NIL " + imap_nstring(mailbox or None) + b" " + imap_nstring(host or None) + b")")
    return b"(" + b"".join(out) + b")" if out else b"NIL"


def envelope(h) -> bytes:
    def s(name):
        v = h.get(name)
        return imap_nstring(None if v is None else " ".join(str(v).split()))

    return b"(" + b" ".join([
        s("Date"), s("Subject"), _addresses(h, "From"), _addresses(h, "Sender", "From"),
        _addresses(h, "Reply-To", "From"), _addresses(h, "To"), _addresses(h, "Cc"), _addresses(h, "Bcc"),
        s("In-Reply-To"), s("Message-ID"),
    ]) + b")"
