"""News (NNTP): ``nb.news(url)`` reads and posts with nntplib, as tables.

    srv = nb.serve.nntp(groups={"lab.general": "General discussion"})
    n = nb.news(srv.url + "/lab.general")
    n.groups(); n.overview(); n.article(1); n.thread(mid); n.post(...)
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .store import NewsError, NewsStore

if TYPE_CHECKING:
    from .client import News

__all__ = ["news", "News", "NewsError", "NewsStore", "open_url"]


def news(url: Any = None, password: str | None = None, **options: Any) -> News:
    """A session with the news server at ``url`` (``nntp://host:port/group``,
    ``nntps://``, ``news:group``; None: the running lab server)."""
    from .client import News

    return News(url, password=password, **options)


def open_url(url: str, **options: Any) -> Any:
    """What ``nb.fetch("nntp://...")`` returns: the news view (a group's
    overview when the URL names one), or one article for ``news:<id>``."""
    from .client import News, parse_url

    u = parse_url(url, user=options.get("user"), password=options.get("password"))
    n = News(url, **options)
    if u.message_id:
        return n.article(u.message_id)
    return n.view()


def __getattr__(name):
    if name == "News":
        from .client import News

        return News
    raise AttributeError(name)


class _CallableModule(__import__("types").ModuleType):
    """``nb.news(url)`` calls :func:`news`, while ``netbook.news`` stays the
    package (importing a submodule binds the package as ``netbook.news``)."""

    def __call__(self, url=None, password=None, **options):
        return news(url, password, **options)


__import__("sys").modules[__name__].__class__ = _CallableModule
