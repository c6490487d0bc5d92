"""Fixtures for the news tests: a lab NNTP server with a few articles."""
from __future__ import annotations

import warnings

import pytest

PASSWORD = "Ne7s-s3cret-pw"
GROUPS = {"lab.general": "General discussion", "lab.python": "Python questions", "lab.empty": "Nothing yet"}


def nntplib():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import nntplib as m
    return m


def seed(srv):
    """Three articles in lab.general (a thread of two and one alone), one in lab.python."""
    a = srv.post("Welcome", "Hello everyone.\n.a line starting with a dot\n", "lab.general",
                 from_="Teacher <teacher@netbook.lab>", message_id="<welcome@netbook.lab>")
    b = srv.post("Re: Welcome", "Thanks!\n", "lab.general", from_="alice@netbook.lab",
                 message_id="<reply1@netbook.lab>", references="<welcome@netbook.lab>")
    c = srv.post("Re: Welcome", "Me too.\n", "lab.general,lab.python", from_="bob@netbook.lab",
                 message_id="<reply2@netbook.lab>", references="<welcome@netbook.lab> <reply1@netbook.lab>")
    d = srv.post("Unrelated", "Another topic.\n", "lab.general", from_="carol@netbook.lab",
                 message_id="<other@netbook.lab>")
    return [a, b, c, d]


@pytest.fixture
def srv():
    import netbook as nb

    s = nb.serve.nntp(groups=GROUPS, name="test-news")
    seed(s)
    yield s
    s.stop()


@pytest.fixture
def auth_srv():
    import netbook as nb

    s = nb.serve.nntp(groups=GROUPS, users={"alice": PASSWORD}, name="test-news-auth")
    seed(s)
    yield s
    s.stop()


@pytest.fixture
def nntp(srv):
    """nntplib itself, talking to the lab server."""
    c = nntplib().NNTP(srv.host, srv.port, timeout=10)
    yield c
    try:
        c.quit()
    except Exception:
        pass
