"""The mail folder view: folders on the left, the message Table (sortable,
filterable, lazily paged for huge folders), and a preview of the selected
message (headers, text, HTML only in a sandboxed iframe with remote images
blocked, attachments, MIME tree, Received chain)."""
from __future__ import annotations

import html as _html

from ..errors import NetbookError, NetworkError, ViewError
from ..table.source import DataFrameSource, LazySource, as_source
from ..table.static import static_html

__all__ = ["FolderView", "ViewError"]

_PROMPT = "<i>select a message to preview it</i>"


def _preview(msg) -> str:
    """The message preview, with a note when remote content was blocked."""
    from .message import safe_html_document

    body = msg.preview_html()
    html = msg.html
    blocked = safe_html_document(html).count('data-netbook-blocked="remote"') if html else 0
    note = (f"<div class='nb-mail-blocked' style='color:#8a5a00'>{blocked} remote link{'s' if blocked != 1 else ''}"
            f" or image{'s' if blocked != 1 else ''} blocked: never loaded</div>") if blocked else ""
    return f"<div style='line-height:1.4'>{note}{body}</div>"


def _closed(client) -> bool:
    return bool(getattr(client, "closed", False))


class FolderView:
    """``FolderView(client)`` for an ``IMAP``/``POP3`` client (or anything
    with ``folder_names``, ``_view_frame(folder)``, ``_view_message(folder, key)``).

    The view keeps working after the session it was given is closed (a later
    cell's ``close()`` or ``with`` block): it opens its own session with the
    same URL and credentials (``client.reopen()``) and says plainly when the
    server cannot be reached."""

    def __init__(self, client, folder: str | None = None):
        self.client = client
        names = list(self._live(lambda c: list(c.folder_names)))
        self.folder = folder or (names[0] if names else "INBOX")
        self.folders = names
        self._source = None
        self.message = None
        self.reconnected = 0

    @property
    def key_column(self) -> str:
        return "number" if type(self.client).__name__ == "POP3" else "uid"

    # -- the session ----------------------------------------------------------------
    def _reconnect(self, why: str):
        reopen = getattr(self.client, "reopen", None)
        if reopen is None:
            raise ViewError(f"the session is {why} and cannot be reopened")
        where = getattr(getattr(self.client, "url", None), "masked", lambda: "the server")()
        try:
            self.client = reopen()
        except NetworkError as e:
            reason = str(e).replace(f"cannot connect to {where}: ", "")
            raise ViewError(f"cannot reach {where}: is the server stopped? ({reason})") from None
        except NetbookError as e:
            raise ViewError(f"{where} refused a new session: {e}") from None
        self.reconnected += 1

    def _live(self, op):
        """``op(client)``; if the session was closed, or the server dropped
        the connection, once more on a new session."""
        if _closed(self.client):
            self._reconnect("closed")
        try:
            return op(self.client)
        except NetworkError:
            self._reconnect("lost")
            return op(self.client)
        except Exception:
            if not _closed(self.client):
                raise
            self._reconnect("closed")
            return op(self.client)

    def source(self):
        if self._source is None:
            folder = self.folder
            if hasattr(self.client, "_view_source"):
                src = self._live(lambda c: c._view_source(folder))
                if isinstance(src, LazySource):  # pages are fetched later: through the live session too
                    cache = {"client": self.client, "fetch": src._fetch}

                    def fetch(start, stop):
                        def op(c):
                            if c is not cache["client"]:
                                cache["client"], cache["fetch"] = c, c._view_source(folder)._fetch
                            return cache["fetch"](start, stop)

                        return self._live(op)

                    src = LazySource(src.length, src.columns, fetch, title=src.title)
                self._source = src
            else:
                frame = self._live(lambda c: c._view_frame(folder))
                self._source = DataFrameSource(frame, formats={"size": "size", "uid": "id", "number": "id"}, title=folder)
        return self._source

    def open(self, folder: str) -> FolderView:
        self.folder = folder
        self._source = None
        return self

    def to_frame(self):
        return self.source().to_frame()

    def show(self, key):
        """The message with this uid (IMAP) or number (POP3), as a MailMessage."""
        folder = self.folder
        self.message = self._live(lambda c: c._view_message(folder, key))
        return self.message

    def export(self, path, format: str = "mbox", keys=None) -> str:
        """Write this folder's messages (or ``keys``) as mbox, maildir or eml."""
        from .message import export

        if keys is None:
            keys = list(self.to_frame()[self.key_column])
        folder = self.folder
        return export([self._live(lambda c, k=k: c._view_message(folder, k)) for k in keys], path, format)

    # -- widgets --------------------------------------------------------------------
    def widget(self):
        import ipywidgets as w

        from ..table import Table
        from ..viewkit import SwitchSource, empty_frame, switch_table

        folders = w.Select(options=self.folders, value=self.folder if self.folder in self.folders else None,
                           rows=min(12, max(3, len(self.folders))), layout=w.Layout(width="12em"))
        table = Table(SwitchSource(self.source()), title=self.folder, page_size=15)
        note = w.HTML("")
        note.add_class("nb-view-note")
        preview = w.HTML(_PROMPT)
        preview.add_class("nb-mail-preview")
        # one Table per message part, kept: a new message switches what they show
        parts = {
            "attachments": (["filename", "type", "bytes"], {"bytes": "size"}),
            "mime": (["part", "depth", "type", "filename", "bytes"], {"bytes": "size"}),
            "received": (["hop", "from", "by", "with", "date", "header"], {}),
        }
        part_tables = {k: Table(SwitchSource(as_source(empty_frame(cols))), page_size=10) for k, (cols, _) in parts.items()}
        save_to = w.Text(value="attachments", description="save to", layout=w.Layout(width="20em"))
        save = w.Button(description="save attachments", disabled=True)
        saved = w.HTML()
        att_box = w.VBox([part_tables["attachments"], w.HBox([save_to, save, saved])])

        def on_save(_):
            if self.message is not None:
                paths = self.message.save_attachments(save_to.value or "attachments")
                saved.value = f"saved {len(paths)} file{'s' if len(paths) != 1 else ''} in {_html.escape(save_to.value)}"

        save.on_click(on_save)
        tabs = w.Tab(children=[preview, att_box, part_tables["mime"], part_tables["received"]])
        for i, t in enumerate(["message", "attachments", "MIME tree", "Received chain"]):
            tabs.set_title(i, t)
        box = w.HBox([folders, w.VBox([note, table, tabs], layout=w.Layout(flex="1"))])
        box.add_class("nb-mailview")

        def say(text: str = "", error: bool = False):
            color = "#b00020" if error else "#666"
            note.value = f"<div style='color:{color};font-size:12px'>{_html.escape(text)}</div>" if text else ""

        def track(before: int):
            if self.reconnected != before:
                say("the session this view was given was closed: the view opened its own")

        def fill(key, frame):
            cols, formats = parts[key]
            switch_table(part_tables[key], frame if frame is not None else empty_frame(cols), title="", formats=formats)

        def clear():
            """No message selected: nothing previewed, nothing to save."""
            self.message = None
            preview.value = _PROMPT
            save.disabled = True
            saved.value = ""
            for key in parts:
                fill(key, None)

        def on_select(df):
            if df is None or not len(df):
                clear()
                return
            before = self.reconnected
            try:
                msg = self.show(df.iloc[0][self.key_column])
            except NetbookError as e:  # shown in the view, one line
                clear()
                preview.value = f"<b>cannot load message</b>: {_html.escape(str(e))}"
                return
            track(before)
            preview.value = _preview(msg)
            att = msg.attachments
            save.disabled = not len(att)
            saved.value = ""
            for key, make in (("attachments", att), ("mime", msg.mime_tree()), ("received", msg.received())):
                fill(key, make)

        def on_folder(change):
            if not change["new"] or change["new"] == self.folder:
                return
            previous, before = self.folder, self.reconnected
            self.open(change["new"])
            try:
                src = self.source()
            except NetbookError as e:
                self.open(previous)
                folders.value = previous
                say(f"cannot open {change['new']}: {e}", error=True)
                return
            say()
            track(before)
            clear()  # the previous folder's message is no longer shown or saved
            switch_table(table, src, title=self.folder)

        table.on_select(on_select)
        folders.observe(on_folder, names="value")
        return box

    def static_html(self) -> str:
        items = "".join(
            f"<li>{'<b>' if f == self.folder else ''}{_html.escape(f)}{'</b>' if f == self.folder else ''}</li>" for f in self.folders
        )
        return (f"<div class='netbook-mailview' style='display:flex;gap:1em'><ul style='min-width:10em'>{items}</ul>"
                f"<div>{static_html(self.source(), rows=15, title=self.folder)}</div></div>")

    def __repr__(self):
        return f"<FolderView {self.folder!r} of {self.client!r}>"

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = {}
        try:
            bundle = self.widget()._repr_mimebundle_(include=include, exclude=exclude) or {}
        except Exception:  # noqa: BLE001 - no widget machinery
            bundle = {}
        bundle["text/plain"] = repr(self)
        bundle["text/html"] = self.static_html()
        return bundle
