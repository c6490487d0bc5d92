"""nb.news (nntplib underneath) against netbook's server and against INN."""
from __future__ import annotations

import pytest

from tests.peers import require

from .conftest import PASSWORD


def test_groups_group_overview(srv):
    import netbook as nb

    n = nb.news(srv.url)
    g = n.groups()
    assert list(g.columns) == ["name", "first", "last", "count", "posting", "description"]
    row = g.set_index("name").loc["lab.general"]
    assert (row["first"], row["last"], row["count"], row["posting"], row["description"]) == (1, 4, 4, True, "General discussion")
    assert n.group("lab.general") == {"name": "lab.general", "count": 4, "first": 1, "last": 4}
    df = n.overview()
    assert list(df.columns) == ["number", "subject", "from", "date", "message_id", "references", "bytes", "lines"]
    assert list(df["number"]) == [1, 2, 3, 4] and df["from"][0] == "Teacher <teacher@netbook.lab>"
    assert str(df["date"].dtype).startswith("datetime64") and df["bytes"].min() > 0
    assert list(n.overview("2-3")["number"]) == [2, 3]
    assert list(n.overview("3-")["number"]) == [3, 4]
    assert list(n.overview(4)["number"]) == [4]
    assert list(n.overview((1, 2))["number"]) == [1, 2]
    n.close()


def test_overview_in_batches(srv):
    import netbook as nb

    for i in range(23):
        srv.post(f"bulk {i}", "x\n", "lab.python")
    n = nb.news(srv.url + "/lab.python", batch=5)
    df = n.overview()
    assert len(df) == 24 and df["number"].is_monotonic_increasing
    overs = [t for _, d, t, _ in n.transcript.lines() if d == "C>S" and t.startswith("OVER")]
    assert overs == ["OVER 1-5", "OVER 6-10", "OVER 11-15", "OVER 16-20", "OVER 21-24"]
    n.close()


def test_article_thread_post(srv):
    import netbook as nb
    from netbook.mail.message import MailMessage

    n = nb.news(srv.url + "/lab.general")
    a = n.article(1)
    assert isinstance(a, MailMessage) and a.subject == "Welcome" and ".a line starting with a dot" in a.text
    assert n.article("<reply1@netbook.lab>").sender == "alice@netbook.lab"
    assert n["reply2@netbook.lab"].subject == "Re: Welcome"
    t = n.thread("<reply2@netbook.lab>")
    assert list(t["message_id"]) == ["<welcome@netbook.lab>", "<reply1@netbook.lab>", "<reply2@netbook.lab>"]
    assert list(t["depth"]) == [0, 1, 2] and t["parent"][2] == "<reply1@netbook.lab>"
    mid = n.post("Re: Welcome", "A third reply.\n.dotted\n", from_="dave@netbook.lab",
                 references="<welcome@netbook.lab> <reply1@netbook.lab>")
    assert mid.startswith("<") and n.group_info["last"] == 5
    t = n.thread("<welcome@netbook.lab>")
    assert list(t["depth"]) == [0, 1, 2, 2] and t["message_id"].iloc[-1] == mid
    assert n.article(mid).text.rstrip("\n").endswith(".dotted")
    assert len(n.thread("<other@netbook.lab>")) == 1
    n.close()


def test_urls_and_fetch(srv):
    import netbook as nb
    from netbook.news.client import parse_url
    from netbook.news.view import NewsView

    u = parse_url("news:lab.general")  # the running lab server
    assert (u.host, u.port, u.group) == (srv.host, srv.port, "lab.general")
    assert parse_url("news:welcome@netbook.lab").message_id == "<welcome@netbook.lab>"
    assert parse_url("nntp://u:pw@h:1/lab.x").masked() == "nntp://u:••••@h:1/lab.x"
    v = nb.fetch(srv.url + "/lab.general")
    assert isinstance(v, NewsView) and v.folder == "lab.general" and len(v.to_frame()) == 4
    assert v.show(2).subject == "Re: Welcome"
    v = nb.fetch("news:lab.python")
    assert list(v.to_frame()["message_id"]) == ["<reply2@netbook.lab>"]
    a = nb.fetch("news:<other@netbook.lab>")
    assert a.subject == "Unrelated"
    html = v._repr_mimebundle_()["text/html"]
    assert "lab.general" in html and "Re: Welcome" in html


def test_login_and_masking(auth_srv):
    import netbook as nb
    from netbook.news import NewsError

    url = auth_srv.url.replace("nntp://", "nntp://alice@") + "/lab.general"
    with pytest.raises(NewsError, match="481"):
        nb.news(url, password="wrong-pw")
    with pytest.raises(NewsError, match="480"):
        nb.news(auth_srv.url).groups()
    n = nb.news(url, password=PASSWORD)
    assert n.group_info["count"] == 4
    everything = [repr(n), n.transcript.text(), n.transcript.to_frame().to_string(), str(n.url), repr(n.url),
                  n._repr_mimebundle_()["text/html"], auth_srv.log.to_frame().to_string()]
    assert all(PASSWORD not in s for s in everything)
    assert "AUTHINFO PASS ••••" in n.transcript.text().upper()
    n.close()
    n = nb.news(auth_srv.url.replace("nntp://", f"nntp://alice:{PASSWORD}@"))
    assert PASSWORD not in repr(n) and len(n.groups()) == 3
    n.close()


def test_safety(srv):
    import netbook as nb
    from netbook.errors import InjectionError, NetbookError
    from netbook.news import NewsError

    n = nb.news(srv.url + "/lab.general")
    with pytest.raises(InjectionError):
        n.post("hi\r\nNewsgroups: lab.python", "body")
    with pytest.raises(InjectionError):
        n.post("hi", "body", from_="x@y\nApproved: yes")
    with pytest.raises(InjectionError):
        n.post("hi", "body", headers={"X-Note": "a\rb"})
    with pytest.raises(InjectionError):
        n.group("lab.general\r\nPOST")
    with pytest.raises(NewsError):
        n.post("hi", "body", groups="../../etc")
    with pytest.raises(NewsError, match="not a range"):
        n.overview("a-b")
    with pytest.raises(NewsError, match="not a range"):
        n.overview((5, 1))
    assert len(n.overview((40, 50))) == 0  # nothing there: empty, not an error
    with pytest.raises(NewsError, match="423"):
        n.article(99)
    with pytest.raises(NewsError, match="430"):
        n.article("<missing@netbook.lab>")
    with pytest.raises(NewsError, match="411"):
        n.group("no.such")
    with pytest.raises(NetbookError, match="news URL"):
        nb.news("http://127.0.0.1:1/")
    with pytest.raises(NetbookError):
        nb.news("nntp://127.0.0.1:1/lab.general", timeout=2)
    n.close()
    # a post bigger than the server's limit: a one-line error, the session goes on
    small = nb.serve.nntp(groups={"lab.general": ""}, max_post=1000, name="test-news-small")
    m = nb.news(small.url + "/lab.general")
    with pytest.raises(NewsError, match="441.*too large"):
        m.post("big", "x" * 5000)
    assert m.post("small", "ok").startswith("<") and m.group_info["count"] == 1
    m.close()


def test_hostile_html_only_sandboxed(srv):
    import netbook as nb

    evil = "<script>alert(1)</script><img src=http://tracker.example/p.gif onerror=alert(2)>"
    n = nb.news(srv.url + "/lab.python")
    mid = n.post("<b>bold</b> subject", evil, headers={"Content-Type": "text/html; charset=utf-8"})
    a = n.article(mid)
    assert a.html and "<script>" in a.html
    page = a._repr_mimebundle_()["text/html"]
    # the article's HTML is only inside a sandboxed iframe's srcdoc (escaped), never live in the page
    assert "<script>" not in page and "<b>bold</b>" not in page
    assert '<iframe sandbox=""' in page and "allow-scripts" not in page
    view = n.view("lab.python")
    from netbook.mail.view import _preview

    pv = _preview(view.show(n.group_info["last"]))
    assert "<script>" not in pv and "remote link" in pv
    assert "<b>bold</b>" not in view.static_html()
    n.close()


def test_magic(srv, ipython):
    ipython.user_ns["who"] = "class"
    ipython.user_ns["url"] = srv.url + "/lab.general"
    g = ipython.run_line_magic("news", "groups {url} -o g")
    assert ipython.user_ns["g"] is g and "lab.general" in set(g["name"])
    over = ipython.run_line_magic("news", "over {url} 2-3")
    assert list(over["number"]) == [2, 3]
    mid = ipython.run_cell_magic("news", 'post {url} --subject "Hello {who}"', "Hi {who},\nbye\n")
    a = ipython.run_line_magic("news", f"article {{url}} {mid}")
    assert a.subject == "Hello class" and a.text.startswith("Hi class,")
    t = ipython.run_line_magic("news", "thread {url} <reply2@netbook.lab>")
    assert list(t["depth"]) == [0, 1, 2]
    ipython.user_ns["evil"] = "x\r\nNewsgroups: lab.python"
    from netbook.errors import InjectionError

    with pytest.raises(InjectionError):
        ipython.run_line_magic("news", 'post {url} --subject "{evil}"')
    s = ipython.run_line_magic("news", "serve --groups lab.a,lab.b --name test-news-magic -o s2")
    assert ipython.user_ns["s2"] is s and set(s.store.groups) == {"lab.a", "lab.b"}
    s.stop()
    ipython.run_line_magic("serve", "nntp lab.x,lab.y --name test-news-serve -o s3")
    s3 = ipython.user_ns["s3"]
    assert s3.kind == "nntp" and set(s3.store.groups) == {"lab.x", "lab.y"}
    s3.stop()


def test_lab_news():
    import netbook as nb

    with nb.lab("news", groups={"lab.general": "x"}) as lab:
        assert lab.name == "news" and lab.kind == "nntp"
        n = nb.news("news:lab.general")
        n.post("hi", "there")
        assert list(n.overview()["subject"]) == ["hi"]
        n.close()


# --- INN 2 as a real peer for the client ------------------------------------------

@pytest.fixture(scope="module")
def inn():
    import os

    from tests.peers import CI

    require("/usr/lib/news/bin/innd")
    require("runuser")
    if os.geteuid() != 0:  # innd runs as the news user: started through runuser by root
        (pytest.fail if CI else pytest.skip)("the INN peer needs root (to run innd as news)")
    from .inn import start_inn

    with start_inn() as (host, port, ctl):
        yield host, port


def test_client_against_inn(inn):
    import netbook as nb

    host, port = inn
    n = nb.news(f"nntp://{host}:{port}/lab.peer")
    g = n.groups().set_index("name")
    assert {"lab.peer", "lab.peer2"} <= set(g.index) and bool(g.loc["lab.peer", "posting"])
    first = n.post("Hello INN", "From netbook.\n.a dotted line\n", from_="student@netbook.lab")
    reply = n.post("Re: Hello INN", "A reply.\n", from_="other@netbook.lab", references=first)
    n.post("Cross", "Two groups.\n", "lab.peer,lab.peer2", from_="student@netbook.lab")
    assert n.group("lab.peer")["count"] == 3
    df = n.overview()
    assert list(df["subject"]) == ["Hello INN", "Re: Hello INN", "Cross"]
    assert list(df["message_id"][:2]) == [first, reply] and df["lines"][0] == 2
    a = n.article(first)
    assert a.subject == "Hello INN" and ".a dotted line" in a.text and a["Path"]
    t = n.thread(reply)
    assert list(t["message_id"]) == [first, reply] and list(t["depth"]) == [0, 1]
    assert list(n.overview(group="lab.peer2")["subject"]) == ["Cross"]
    with pytest.raises(Exception, match="423|430"):
        n.article(999)
    n.close()
    v = nb.fetch(f"nntp://{host}:{port}/lab.peer")
    assert len(v.to_frame()) == 3 and v.show(1).subject == "Hello INN"
    v.client.close()


def test_nntps(tmp_path):
    import netbook as nb

    s = nb.serve.nntp(groups={"lab.general": "g"}, tls=True, name="test-news-tls")
    assert s.url.startswith("nntps://")
    s.post("secure", "over TLS")
    n = nb.news(s.url + "/lab.general")  # verified against the lab's generated certificate
    assert list(n.overview()["subject"]) == ["secure"] and n.article(1).text.startswith("over TLS")
    n.close()
    # a plain-text client gets nothing useful, and the server goes on
    from .conftest import nntplib

    with pytest.raises(Exception):
        nntplib().NNTP(s.host, s.port, timeout=1)
    n = nb.news(s.url + "/lab.general")
    assert n.group_info["count"] == 1
    n.close()


def test_view_widget_groups_overview_preview(srv):
    import netbook as nb

    n = nb.news(srv.url + "/lab.general")
    v = n.view()
    w = v.widget()
    groups = w.children[0]
    _note, table, tabs = w.children[1].children
    preview = tabs.children[0]
    assert list(groups.options) == ["lab.general", "lab.python", "lab.empty"] and groups.value == "lab.general"
    table.selected = [2]
    assert "Me too." in preview.value and v.message.subject == "Re: Welcome"
    groups.value = "lab.python"
    new_table = w.children[1].children[1]
    assert new_table is table  # the same Table, showing the other group
    assert list(new_table.source.to_frame()["message_id"]) == ["<reply2@netbook.lab>"]
    assert "select a message" in preview.value
    new_table.selected = [0]
    assert "Me too." in preview.value
    groups.value = "lab.empty"
    assert len(w.children[1].children[1].source.to_frame()) == 0
    n.close()


def test_view_reopens_a_closed_session(srv):
    import netbook as nb

    n = nb.news.News(srv.url + "/lab.general")
    v = n.view()
    w = v.widget()
    folders = w.children[0]
    note, table, tabs = w.children[1].children
    n.close()  # a later cell's cleanup
    assert n.closed
    table.selected = [table.row_keys[0]]
    assert "Hello everyone." in tabs.children[0].value and "has no attribute" not in tabs.children[0].value
    assert "opened its own" in note.value
    folders.value = "lab.python"
    assert list(table.page_frame["subject"]) == ["Re: Welcome"]
    v.client.close()
    srv.stop()
    table.selected = [table.row_keys[0]]
    assert "cannot load message" in tabs.children[0].value and "is the server stopped?" in tabs.children[0].value
