"""The mail folder view: folders on the left, the message Table (sortable,
filterable, lazily paged for huge folders), and a preview of the selected
message (headers, text, HTML only in a sandboxed iframe with remote images
blocked, attachments, MIME tree, Received chain)."""
from __future__ import annotations

import html as _html

from ..table.source import DataFrameSource
from ..table.static import static_html

__all__ = ["FolderView"]

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


class FolderView:
    """``FolderView(client)`` for an ``IMAP``/``POP3`` client (or anything
    with ``folder_names``, ``_view_frame(folder)``, ``_view_message(folder, key)``)."""

    def __init__(self, client, folder: str | None = None):
        self.client = client
        names = list(client.folder_names)
        self.folder = folder or (names[0] if names else "INBOX")
        self.folders = names
        self._source = None
        self.message = None

    @property
    def key_column(self) -> str:
        return "number" if type(self.client).__name__ == "POP3" else "uid"

    def source(self):
        if self._source is None:
            if hasattr(self.client, "_view_source"):
                self._source = self.client._view_source(self.folder)
            else:
                self._source = DataFrameSource(self.client._view_frame(self.folder),
                                               formats={"size": "size", "uid": "id", "number": "id"}, title=self.folder)
        return self._source

    def open(self, folder: str) -> FolderView:
        self.folder = folder
        self._source = None
        return self

    def to_frame(self):
        return self.source().to_frame()

    def show(self, key):
        """The message with this uid (IMAP) or number (POP3), as a MailMessage."""
        self.message = self.client._view_message(self.folder, key)
        return self.message

    def export(self, path, format: str = "mbox", keys=None) -> str:
        """Write this folder's messages (or ``keys``) as mbox, maildir or eml."""
        from .message import export

        if keys is None:
            keys = list(self.to_frame()[self.key_column])
        return export([self.client._view_message(self.folder, k) for k in keys], path, format)

    # -- widgets --------------------------------------------------------------------
    def widget(self):
        import ipywidgets as w

        from ..table import Table

        folders = w.Select(options=self.folders, value=self.folder if self.folder in self.folders else None,
                           rows=min(12, max(3, len(self.folders))), layout=w.Layout(width="12em"))
        table = Table(self.source(), title=self.folder, page_size=15)
        preview = w.HTML(_PROMPT)
        preview.add_class("nb-mail-preview")
        # the per-message tables live in boxes whose Table widgets are closed when replaced
        att_out, mime_box, recv_box = w.VBox(), w.VBox(), w.VBox()
        save_to = w.Text(value="attachments", description="save to", layout=w.Layout(width="20em"))
        save = w.Button(description="save attachments", disabled=True)
        saved = w.HTML()
        att_box = w.VBox([att_out, w.HBox([save_to, save, saved])])

        def on_save(_):
            if self.message is not None:
                paths = self.message.save_attachments(save_to.value or "attachments")
                saved.value = f"saved {len(paths)} file{'s' if len(paths) != 1 else ''} in {_html.escape(save_to.value)}"

        save.on_click(on_save)
        tabs = w.Tab(children=[preview, att_box, mime_box, recv_box])
        for i, t in enumerate(["message", "attachments", "MIME tree", "Received chain"]):
            tabs.set_title(i, t)
        box = w.HBox([folders, w.VBox([table, tabs], layout=w.Layout(flex="1"))])
        box.add_class("nb-mailview")

        def fill(holder, frame):
            for old in holder.children:
                old.close()
            holder.children = () if frame is None else (Table(frame, formats={"bytes": "size"}),)

        def clear():
            """No message selected: nothing previewed, nothing to save."""
            self.message = None
            preview.value = _PROMPT
            save.disabled = True
            saved.value = ""
            for holder in (att_out, mime_box, recv_box):
                fill(holder, None)

        def on_select(df):
            if df is None or not len(df):
                clear()
                return
            try:
                msg = self.show(df.iloc[0][self.key_column])
            except Exception as e:  # noqa: BLE001 - shown in the view
                clear()
                preview.value = f"<b>cannot load message</b>: {_html.escape(str(e))}"
                return
            preview.value = _preview(msg)
            att = msg.attachments
            save.disabled = not len(att)
            saved.value = ""
            for holder, make in ((att_out, att), (mime_box, msg.mime_tree()), (recv_box, msg.received())):
                fill(holder, make)

        def on_folder(change):
            if change["new"] and change["new"] != self.folder:
                self.open(change["new"])
                old = box.children[1].children[0]
                new = Table(self.source(), title=self.folder, page_size=15)
                new.on_select(on_select)
                box.children[1].children = (new, tabs)
                old.close()  # unsubscribes it from its source
                clear()  # the previous folder's message is no longer shown or saved

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
