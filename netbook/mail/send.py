"""Sending mail: ``nb.mail.send(...)`` (smtplib) and ``send_many(df, template)``.

The result shows each recipient accepted or refused with its code, the
message as sent, and the transcript (AUTH masked).
"""
from __future__ import annotations

import email
import email.policy
import email.utils
import mimetypes
import os
import smtplib
import socket
from collections.abc import Iterable, Mapping
from email.message import EmailMessage
from typing import Any, TypeAlias

from ..connection import Traced
from ..errors import NetworkError
from ..interpolate import check_line, interpolate
from ..tls import tls_context
from ..transcript import Transcript
from .message import MailError
from .urls import parse_url

__all__ = ["send", "send_many", "SendResult", "build_message"]

# recipients: "a@x, b@y" or a list of addresses
Addresses: TypeAlias = "str | Iterable[str] | None"


class TracedSMTP(Traced, smtplib.SMTP):
    pass


class TracedSMTPS(Traced, smtplib.SMTP_SSL):
    pass


def _addresses(values) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    out = []
    for v in values:
        check_line(str(v), "address")
        out += [a for _, a in email.utils.getaddresses([str(v)]) if a]
    return out


def build_message(message: str | bytes | EmailMessage | None = None, *, to: Addresses = None,
                  from_: str | None = None, subject: str | None = None, body: str | None = None,
                  html: str | None = None, cc: Addresses = None, bcc: Addresses = None,
                  attachments: Iterable[Any] = (), headers: Mapping[str, str] | None = None) -> EmailMessage:
    """An EmailMessage from RFC 5322 text (headers, blank line, body) and/or
    fields.  Header values with CR/LF are refused."""
    if isinstance(message, EmailMessage):
        msg = message
    elif isinstance(message, (str, bytes)):
        raw = message.encode("utf-8") if isinstance(message, str) else message
        raw = raw.lstrip(b"\r\n")
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        if msg.defects and any(isinstance(d, email.errors.MissingHeaderBodySeparatorDefect) for d in msg.defects):
            raise MailError("the message text needs headers, a blank line, then the body")
        if msg.get("Content-Type") is None and not msg.is_multipart():
            # typed text: re-encode the body properly (charset, transfer encoding)
            text = msg.get_payload(decode=True).decode("utf-8", "replace")
            fresh = EmailMessage()
            for k, v in msg.items():
                if not k.lower().startswith("content-") and k.lower() != "mime-version":
                    fresh[k] = v
            fresh.set_content(text)
            msg = fresh
    elif message is None:
        msg = EmailMessage()
    else:
        raise TypeError("message must be text, bytes or an EmailMessage")
    fields = {"From": from_, "To": to, "Cc": cc, "Bcc": bcc, "Subject": subject, **(headers or {})}
    for name, value in fields.items():
        if value is None:
            continue
        value = ", ".join(value) if isinstance(value, (list, tuple)) else str(value)
        check_line(value, f"{name} header")
        check_line(name, "header name")
        del msg[name]
        msg[name] = value
    if body is not None or html is not None:
        if body is not None:
            msg.set_content(body)
        if html is not None:
            if body is None:
                msg.set_content(html, subtype="html")
            else:
                msg.add_alternative(html, subtype="html")
    elif not msg.is_multipart() and msg.get_payload() == "" and message is None:
        msg.set_content("")
    for att in attachments or ():
        if isinstance(att, (str, os.PathLike)):
            path = os.fspath(att)
            with open(path, "rb") as f:
                data = f.read()
            name = os.path.basename(path)
        else:
            name, data = att[0], att[1]
            data = data.encode() if isinstance(data, str) else bytes(data)
        ctype = mimetypes.guess_type(name)[0] or "application/octet-stream"
        maintype, subtype = ctype.split("/", 1)
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    if msg["Date"] is None:
        msg["Date"] = email.utils.formatdate(localtime=False)
    if msg["Message-ID"] is None:
        msg["Message-ID"] = email.utils.make_msgid(domain="netbook.lab")
    if msg["MIME-Version"] is None and (msg.is_multipart() or msg.get("Content-Type")):
        msg["MIME-Version"] = "1.0"
    return msg


class SendResult:
    """What happened to one message: per recipient accepted/refused with the
    server's code, the DATA reply, the message, the transcript."""

    def __init__(self, message: EmailMessage, sender: str, url: str, dry_run: bool = False):
        self.message = message
        self.sender = sender
        self.url = url
        self.dry_run = dry_run
        self.recipients: list[tuple[str, bool, int | None, str]] = []
        self.mail_reply: tuple[int, str] | None = None
        self.data_reply: tuple[int, str] | None = None
        self.transcript = Transcript(title=f"send {url}")

    @property
    def accepted(self) -> list[str]:
        return [r for r, ok, _, _ in self.recipients if ok] if self.delivered else []

    @property
    def refused(self) -> dict[str, tuple[int, str]]:
        return {r: (c, m) for r, ok, c, m in self.recipients if not ok}

    @property
    def delivered(self) -> bool:
        return bool(self.data_reply and self.data_reply[0] == 250)

    @property
    def ok(self) -> bool:
        return self.delivered and not self.refused

    def to_frame(self):
        import pandas as pd

        return pd.DataFrame(self.recipients, columns=["recipient", "accepted", "code", "reply"])

    def __repr__(self):
        if self.dry_run:
            return f"<SendResult dry run: not sent>\n{self.message.as_string()}"
        lines = [f"<SendResult via {self.url}: {'delivered' if self.delivered else 'NOT delivered'}"
                 + (f", DATA {self.data_reply[0]} {self.data_reply[1]}" if self.data_reply else "") + ">"]
        for r, ok, code, msg in self.recipients:
            lines.append(f"  {'✓' if ok else '✗'} {r}: {code} {msg}")
        return "\n".join(lines)

    def _repr_mimebundle_(self, include=None, exclude=None):
        import html as h

        if self.dry_run:
            body = f"<div><b>dry run</b>: nothing sent; the MIME message:</div><pre>{h.escape(self.message.as_string())}</pre>"
            return {"text/plain": repr(self), "text/html": body}
        from ..table.static import static_html
        from ..table.source import DataFrameSource

        head = f"<div><b>{'delivered' if self.delivered else 'not delivered'}</b> via {h.escape(self.url)}" + (
            f" — DATA {self.data_reply[0]} {h.escape(self.data_reply[1])}" if self.data_reply else "") + "</div>"
        table = static_html(DataFrameSource(self.to_frame()), rows=50, title="recipients")
        trans = f"<details><summary>transcript</summary><pre>{h.escape(self.transcript.text())}</pre></details>"
        return {"text/plain": repr(self), "text/html": head + table + trans}


def _connect(url, transcript, *, starttls, timeout, cafile, verify):
    u = url
    ctx = tls_context(verify, cafile, host=u.host, port=u.port)
    try:
        if u.scheme == "smtps":
            c = TracedSMTPS(transcript, u.host, u.port, timeout=timeout, context=ctx)
        else:
            c = TracedSMTP(transcript, u.host, u.port, timeout=timeout)
    except (ConnectionRefusedError, socket.timeout, socket.gaierror, OSError) as e:
        raise NetworkError(f"cannot connect to {u.masked()}: {e.strerror or e}") from e
    try:
        c.ehlo_or_helo_if_needed()
        if starttls or (starttls is None and u.scheme == "submission"):
            if not c.has_extn("starttls"):
                raise MailError(f"{u.masked()} does not offer STARTTLS")
            c.starttls(context=ctx)
            c.ehlo()
        if u.user:
            try:
                c.login(u.user, u.password or "")
            except smtplib.SMTPAuthenticationError as e:
                raise MailError(f"SMTP authentication failed for {u.user!r}: {e.smtp_code} {e.smtp_error.decode(errors='replace')}") from None
            except smtplib.SMTPNotSupportedError:
                raise MailError(f"{u.masked()} does not offer AUTH") from None
    except (smtplib.SMTPException, OSError) as e:
        c.close()
        if isinstance(e, MailError):
            raise
        raise MailError(f"SMTP session with {u.masked()} failed: {type(e).__name__}: {e}") from None
    except MailError:
        c.close()
        raise
    return c


def _transfer(c, msg: EmailMessage, sender: str, rcpts: list[str], result: SendResult) -> None:
    data = msg.as_bytes(policy=email.policy.SMTP)
    options = []
    if c.does_esmtp and c.has_extn("size"):
        options.append(f"size={len(data)}")
    try:
        code, reply = c.mail(sender, options)
        result.mail_reply = (code, reply.decode("utf-8", "replace"))
        if code != 250:
            for r in rcpts:
                result.recipients.append((r, False, code, "sender refused: " + result.mail_reply[1]))
            c.rset()
            return
        accepted = 0
        for r in rcpts:
            code, reply = c.rcpt(r)
            ok = code in (250, 251)
            accepted += ok
            result.recipients.append((r, ok, code, reply.decode("utf-8", "replace")))
        if not accepted:
            c.rset()
            return
        code, reply = c.data(data)
        result.data_reply = (code, reply.decode("utf-8", "replace"))
        if code != 250:
            c.rset()
    except smtplib.SMTPServerDisconnected as e:
        result.data_reply = result.data_reply or (421, f"server disconnected: {e}")
        for r in rcpts[len(result.recipients):]:
            result.recipients.append((r, False, None, "not tried: server disconnected"))
    except (smtplib.SMTPException, OSError) as e:
        result.data_reply = result.data_reply or (451, f"{type(e).__name__}: {e}")


def send(message: str | bytes | EmailMessage | None = None, *, to: Addresses = None, from_: str | None = None,
         subject: str | None = None, body: str | None = None, html: str | None = None, cc: Addresses = None,
         bcc: Addresses = None, attachments: Iterable[Any] = (), headers: Mapping[str, str] | None = None,
         url: Any = None, user: str | None = None, password: str | None = None, starttls: bool | None = None,
         dry_run: bool = False, timeout: float = 30, cafile: str | None = None, verify: bool = True) -> SendResult:
    """Send one message with smtplib and show what happened.

    ``message``: RFC 5322 text (headers, blank line, body), bytes or an
    EmailMessage; fields (``to``, ``from_``, ``subject``, ``body``, ``html``,
    ``cc``, ``bcc``, ``attachments``: paths or ``(name, bytes)``) add to or
    replace it.  ``url``: ``smtp://[user[:pw]@]host:port``, ``smtps://`` (TLS),
    default the running lab catcher; ``starttls=True``; ``user``/``password``
    for AUTH; ``dry_run=True`` shows the MIME message and sends nothing.
    """
    msg = build_message(message, to=to, from_=from_, subject=subject, body=body, html=html, cc=cc, bcc=bcc,
                        attachments=attachments, headers=headers)
    sender = (_addresses(msg.get("From")) or [""])[0]
    rcpts = _addresses([str(v) for k in ("To", "Cc", "Bcc") for v in (msg.get_all(k) or [])])
    if not rcpts:
        raise MailError("no recipients: give to= or a To:/Cc:/Bcc: header")
    if dry_run:
        r = SendResult(msg, sender, "(dry run)", dry_run=True)
        r.recipients = [(x, False, None, "dry run: not sent") for x in rcpts]
        return r
    u = parse_url(url, ("smtp", "smtps", "submission"), user=user, password=password, default_kind="smtp")
    result = SendResult(msg, sender, u.masked())
    wire = EmailMessage(policy=email.policy.default)
    sendable = email.message_from_bytes(msg.as_bytes(), policy=email.policy.default)
    del sendable["Bcc"]
    del wire
    c = _connect(u, result.transcript, starttls=starttls, timeout=timeout, cafile=cafile, verify=verify)
    try:
        _transfer(c, sendable, sender, rcpts, result)
    finally:
        try:
            c.quit()
        except (smtplib.SMTPException, OSError):
            c.close()
    return result


def send_many(rows: Any, template: str, *, url: Any = None, user: str | None = None, password: str | None = None,
              starttls: bool | None = None, progress: bool = True, timeout: float = 30, cafile: str | None = None,
              verify: bool = True, attachments: Iterable[Any] = (), transcript: Any = None) -> Any:
    """A mail merge: one message per row of ``rows`` (a DataFrame or a list
    of dicts) from ``template`` (RFC 5322 text with ``{column}`` fields;
    values with CR/LF are refused in headers).  One SMTP session; a progress
    bar in notebooks.  Returns a DataFrame: row, to, delivered, code, reply.
    Pass ``transcript=nb.Transcript()`` to keep the conversation."""
    import pandas as pd

    records = rows.to_dict("records") if isinstance(rows, pd.DataFrame) else list(rows)
    head, sep, tail = template.replace("\r\n", "\n").partition("\n\n")
    u = parse_url(url, ("smtp", "smtps", "submission"), user=user, password=password, default_kind="smtp")
    bar = _progress(len(records)) if progress else None
    transcript = transcript if transcript is not None else Transcript(title=f"send_many {u.masked()}")
    out = []
    c = _connect(u, transcript, starttls=starttls, timeout=timeout, cafile=cafile, verify=verify)
    try:
        for i, rec in enumerate(records):
            try:
                text = interpolate(head, rec) + sep + interpolate(tail, rec, multiline_values=True)
                msg = build_message(text, attachments=attachments)
            except Exception as e:  # noqa: BLE001 - one bad row must not stop the merge
                out.append((i, "", False, None, f"refused: {e}"))
                continue
            sender = (_addresses(msg.get("From")) or [""])[0]
            rcpts = _addresses([str(v) for k in ("To", "Cc", "Bcc") for v in (msg.get_all(k) or [])])
            del msg["Bcc"]
            r = SendResult(msg, sender, u.masked())
            _transfer(c, msg, sender, rcpts, r)
            out.append((i, ", ".join(rcpts), r.delivered, r.data_reply[0] if r.data_reply else (r.recipients[0][2] if r.recipients else None),
                        r.data_reply[1] if r.data_reply else "; ".join(f"{a}: {m}" for a, _, _, m in r.recipients)))
            if bar is not None:
                bar.value = i + 1
    finally:
        try:
            c.quit()
        except (smtplib.SMTPException, OSError):
            c.close()
    df = pd.DataFrame(out, columns=["row", "to", "delivered", "code", "reply"])
    return df


def _progress(total):
    try:
        from IPython import get_ipython

        if get_ipython() is None or not hasattr(get_ipython(), "kernel"):
            return None
        import ipywidgets as w
        from IPython.display import display

        bar = w.IntProgress(value=0, min=0, max=max(total, 1), description="sending")
        display(bar)
        return bar
    except Exception:  # noqa: BLE001 - no front-end: no bar
        return None
