"""The news view: groups on the left, the overview Table, and a preview of
the selected article: the mail FolderView, keyed by article number."""
from __future__ import annotations

from ..mail.view import FolderView

__all__ = ["NewsView"]


class NewsView(FolderView):
    """``NewsView(news_client, group)``: groups | overview Table | preview
    (HTML only in a sandboxed iframe, via MailMessage)."""

    key_column = "number"

    def __init__(self, client, group: str | None = None):
        super().__init__(client, group)

    def __repr__(self):
        return f"<NewsView {self.folder!r} of {self.client!r}>"
