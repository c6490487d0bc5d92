"""Messages as things to look at: headers, text, sandboxed HTML, attachments,
the MIME tree and the Received chain, built on the standard ``email`` package.
"""
from __future__ import annotations

import email
import email.header
import email.policy
import email.utils
import html as _html
import os
import re
from datetime import timezone

from ..errors import MailError

__all__ = ["MailMessage", "quick_headers", "decode_header", "safe_html_document", "sandboxed_iframe", "export", "MailError"]


def decode_header(value) -> str:
    """An RFC 2047 encoded header as text (``=?utf-8?q?...?=`` decoded)."""
    if value is None:
        return ""
    value = str(value)
    if "=?" not in value:
        return " ".join(value.split())
    try:
        return " ".join(str(email.header.make_header(email.header.decode_header(value))).split())
    except (email.errors.HeaderParseError, LookupError, ValueError, UnicodeError):
        return " ".join(value.split())


_FIELD_NAME = re.compile(rb"[!-9;-~]+")


def _header_block(raw: bytes) -> bytes:
    """The header block: everything before the first empty line (LF or CRLF)."""
    ends = [i for i in (raw.find(b"\n\n"), raw.find(b"\r\n\r\n")) if i >= 0]
    return raw[: min(ends)] if ends else raw


def quick_headers(raw: bytes, names=("from", "to", "subject", "date")) -> dict:
    """Selected headers of a message (or of a header block), decoded, fast:
    no full MIME parse (the first occurrence of a field wins; folded lines
    are unfolded)."""
    want = {n.lower().encode("ascii") for n in names}
    found: dict[bytes, list[bytes]] = {}
    current = None  # the value being unfolded, or None
    for line in _header_block(raw).split(b"\n"):
        if line[:1] in (b" ", b"\t"):
            if current is not None:
                current.append(line)
            continue
        current = None
        name, colon, value = line.partition(b":")
        if not colon:
            continue
        name = name.lower()
        if name in want and name not in found and _FIELD_NAME.fullmatch(name):
            current = found[name] = [value]
    return {k.decode("ascii"): decode_header(b" ".join(v).decode("utf-8", "replace")) for k, v in found.items()}


# ---------------------------------------------------------------------------
# HTML, safely
# ---------------------------------------------------------------------------

CSP = "default-src 'none'; img-src data: cid:; style-src 'unsafe-inline'; font-src data:"
_ATTR = re.compile(
    r"""(\s(?:src|srcset|background|poster|href|action|formaction|data|lowsrc|dynsrc|xlink:href|ping)\s*=\s*)("[^"]*"|'[^']*'|[^\s>]+)""",
    re.I,
)
_REMOTE = re.compile(r"(?:^|[\s,\"'])(?:(?:https?|ftp):)?//|^\s*[\"']?\s*(?:https?|ftp):", re.I)


def _neutralise_attr(m):
    if _REMOTE.search(m.group(2)):
        return f'{m.group(1)}"about:blank" data-netbook-blocked="remote"'
    return m.group(0)


_REMOTE_CSS = re.compile(r"""url\(\s*(["']?)\s*(?:(?:https?:)?//|ftp:)[^)]*\)""", re.I)
_IMPORT_CSS = re.compile(r"@import\b[^;]*;?", re.I)
_META_REFRESH = re.compile(r"<meta\b[^>]*http-equiv\s*=\s*[\"']?refresh[^>]*>", re.I)
_BASE = re.compile(r"<base\b[^>]*>", re.I)


def safe_html_document(html: str) -> str:
    """A mail's HTML made inert for preview: remote images, stylesheets and
    links are neutralised and a Content-Security-Policy forbids every remote
    load; scripts stay disabled by the iframe sandbox."""
    html = _META_REFRESH.sub("", html)
    html = _BASE.sub("", html)
    html = _ATTR.sub(_neutralise_attr, html)
    html = _REMOTE_CSS.sub("url(about:blank)", html)
    html = _IMPORT_CSS.sub("", html)
    meta = f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
    return f"<!DOCTYPE html><html><head><meta charset='utf-8'>{meta}</head><body>{html}</body></html>"


def estimate_height(html: str, low: int = 48, high: int = 480) -> int:
    """A frame height in px for ``html``, from its text length and block
    elements, kept within ``low``..``high`` (a sandboxed frame has no scripts,
    so it cannot size itself; a scrollbar covers what the estimate misses)."""
    body = re.sub(r"(?is)<(script|style|head)\b.*?</\1\s*>", "", html)
    blocks = len(re.findall(r"(?i)<(?:p|div|br|li|tr|h[1-6]|table|ul|ol|blockquote|pre|hr)\b", body))
    heads = len(re.findall(r"(?i)<h[1-3]\b", body))
    images = len(re.findall(r"(?i)<img\b", body))
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]*>", " ", body)).strip()
    lines = max(1, blocks) + len(text) // 90
    return max(low, min(high, 24 + 22 * lines + 14 * heads + 24 * images))


def sandboxed_iframe(html: str, height: int | None = None) -> str:
    """HTML for showing ``html`` in a sandboxed iframe (no scripts, no
    same-origin, no remote loads), as tall as its content within a bound
    unless ``height`` (px) is given."""
    doc = safe_html_document(html)
    if height is None:
        height = estimate_height(html)
    return (
        f'<iframe sandbox="" referrerpolicy="no-referrer" csp="{CSP}" '
        f'style="width:100%;height:{int(height)}px;border:1px solid #ddd" srcdoc="{_html.escape(doc, quote=True)}"></iframe>'
    )


# ---------------------------------------------------------------------------
# one message
# ---------------------------------------------------------------------------


class MailMessage:
    """One message: ``.headers`` / ``.text`` / ``.html`` / ``.attachments``
    / ``.mime_tree()`` / ``.received()`` / ``.save(path)``; shown with its
    HTML only in a sandboxed iframe."""

    def __init__(self, raw: bytes, *, uid=None, flags=(), folder: str = "", transcript=None):
        self.raw = bytes(raw)
        self.uid = uid
        self.flags = tuple(flags)
        self.folder = folder
        self.transcript = transcript
        self._msg = None

    @property
    def email(self) -> email.message.EmailMessage:
        """The parsed ``email.message.EmailMessage``."""
        if self._msg is None:
            self._msg = email.message_from_bytes(self.raw.replace(b"\r\n", b"\n"), policy=email.policy.default)
        return self._msg

    def __getitem__(self, name):
        return decode_header(self.email.get(name)) if self.email.get(name) is not None else None

    @property
    def subject(self) -> str:
        return self["Subject"] or ""

    @property
    def sender(self) -> str:
        return self["From"] or ""

    @property
    def date(self):
        try:
            d = email.utils.parsedate_to_datetime(self.email.get("Date"))
            return d if d.tzinfo else d.replace(tzinfo=timezone.utc)
        except (TypeError, ValueError, IndexError):
            return None

    @property
    def headers(self):
        """All headers as a DataFrame (name, value), in order."""
        import pandas as pd

        return pd.DataFrame([(k, decode_header(v)) for k, v in self.email.raw_items()], columns=["name", "value"])

    def _body(self, kind):
        try:
            part = self.email.get_body(preferencelist=(kind,))
        except (KeyError, TypeError):
            part = None
        if part is None:
            return None
        try:
            return part.get_content()
        except (LookupError, KeyError, ValueError, AssertionError):
            payload = part.get_payload(decode=True) or b""
            return payload.decode("utf-8", "replace")

    @property
    def text(self) -> str | None:
        return self._body("plain")

    @property
    def html(self) -> str | None:
        return self._body("html")

    @property
    def attachments(self):
        """Attachments as a DataFrame (filename, type, bytes)."""
        import pandas as pd

        rows = []
        for part in self.email.iter_attachments():
            payload = part.get_payload(decode=True) or b""
            rows.append((part.get_filename() or "", part.get_content_type(), len(payload)))
        return pd.DataFrame(rows, columns=["filename", "type", "bytes"])

    def save_attachments(self, directory) -> list[str]:
        """Write the attachments into ``directory`` (names made safe: no
        path parts, no traversal); returns the written paths."""
        os.makedirs(directory, exist_ok=True)
        out = []
        for i, part in enumerate(self.email.iter_attachments(), 1):
            name = os.path.basename((part.get_filename() or f"attachment-{i}").replace("\\", "/"))
            name = re.sub(r"[^\w.\- ]", "_", name).lstrip(".") or f"attachment-{i}"
            path = os.path.join(directory, name)
            with open(path, "wb") as f:
                f.write(part.get_payload(decode=True) or b"")
            out.append(path)
        return out

    def mime_tree(self):
        """The MIME structure as a DataFrame (part, depth, type, filename, bytes)."""
        import pandas as pd

        rows = []

        def walk(part, number, depth):
            payload = part.get_payload(decode=not part.is_multipart())
            size = len(payload) if isinstance(payload, (bytes, str)) else 0
            rows.append((number or "", depth, part.get_content_type(), part.get_filename() or "", part.get_content_disposition() or "", size))
            if part.is_multipart():
                for i, sub in enumerate(part.iter_parts(), 1):
                    walk(sub, f"{number}.{i}" if number else str(i), depth + 1)

        walk(self.email, "", 0)
        return pd.DataFrame(rows, columns=["part", "depth", "type", "filename", "disposition", "bytes"])

    def received(self):
        """The Received chain hop by hop, oldest first (hop, from, by, with, date)."""
        import pandas as pd

        rows = []
        hops = [" ".join(str(v).split()) for v in self.email.get_all("Received") or []]
        for i, h in enumerate(reversed(hops), 1):
            part, _, when = h.rpartition(";")
            def grab(word):
                m = re.search(rf"\b{word}\s+(\S+(?:\s+\([^)]*\))?)", part, re.I)
                return m.group(1) if m else ""
            try:
                d = email.utils.parsedate_to_datetime(when.strip())
            except (TypeError, ValueError, IndexError):
                d = None
            rows.append((i, grab("from"), grab("by"), grab("with"), d, h))
        return pd.DataFrame(rows, columns=["hop", "from", "by", "with", "date", "header"])

    def to_frame(self):
        return self.headers

    def save(self, path) -> str:
        """Write the message as an .eml file."""
        with open(path, "wb") as f:
            f.write(self.raw)
        return os.fspath(path)

    # -- presenting -----------------------------------------------------------
    def __repr__(self):
        size = len(self.raw)
        return f"<MailMessage {self.subject!r} from {self.sender!r} ({size:,} bytes)>"

    def preview_html(self) -> str:
        esc = _html.escape
        rows = "".join(
            f"<tr><th style='text-align:left;padding-right:1em'>{esc(k)}</th><td>{esc(decode_header(self.email.get(k)) or '')}</td></tr>"
            for k in ("From", "To", "Cc", "Date", "Subject") if self.email.get(k) is not None
        )
        parts = [f"<div class='netbook-mail'><table>{rows}</table>"]
        html = self.html
        text = self.text
        if html:
            parts.append(sandboxed_iframe(html))
        if text:
            parts.append(f"<pre style='white-space:pre-wrap;max-height:20em;overflow:auto'>{esc(text)}</pre>")
        att = self.attachments
        if len(att):
            items = "".join(f"<li>{esc(r.filename)} ({esc(r.type)}, {r.bytes:,} bytes)</li>" for r in att.itertuples())
            parts.append(f"<div><b>attachments</b><ul>{items}</ul></div>")
        parts.append("</div>")
        return "".join(parts)

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/plain": repr(self), "text/html": self.preview_html()}


# ---------------------------------------------------------------------------
# export
# ---------------------------------------------------------------------------


def export(messages, path, format: str = "mbox") -> str:
    """Write messages (MailMessage objects or bytes) to ``path`` as
    ``mbox``, ``maildir`` or a folder of ``eml`` files."""
    import mailbox

    raws = [m.raw if isinstance(m, MailMessage) else bytes(m) for m in messages]
    path = os.fspath(path)
    if format == "mbox":
        box = mailbox.mbox(path)
        box.lock()
        try:
            for r in raws:
                box.add(r.replace(b"\r\n", b"\n"))
            box.flush()
        finally:
            box.unlock()
            box.close()
    elif format == "maildir":
        box = mailbox.Maildir(path, create=True)
        for r in raws:
            box.add(r.replace(b"\r\n", b"\n"))
    elif format == "eml":
        os.makedirs(path, exist_ok=True)
        for i, r in enumerate(raws, 1):
            with open(os.path.join(path, f"{i:05d}.eml"), "wb") as f:
                f.write(r)
    else:
        raise ValueError("format must be 'mbox', 'maildir' or 'eml'")
    return path
