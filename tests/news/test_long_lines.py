"""Issue 11 bug 5: a header line longer than nntplib reads (2048 bytes) must
not make a group unreadable.  The lab server refuses such posts (RFC 5322's
998-octet lines, and OVER lines nntplib can read); netbook's client reads
long lines from servers that do send them."""
import pytest

import netbook as nb
from netbook.news.store import Article, NewsError

from .conftest import nntplib


def _post_raw(c, headers: str, body: str = "body\r\n"):
    return c.post((headers + "\r\n\r\n" + body).encode())


def test_nntplib_post_with_a_3000_byte_subject_is_refused(srv, nntp):
    before = len(srv.to_frame())
    with pytest.raises(nntplib().NNTPTemporaryError, match="441.*header line of 3010 bytes"):
        _post_raw(nntp, "From: a@b.c\r\nNewsgroups: lab.general\r\nSubject: " + "x" * 3001)
    assert len(srv.to_frame()) == before
    with nb.news(srv.url_for(group="lab.general")) as news:  # the group stays readable
        assert len(news.overview()) == 4


def test_folded_references_that_overflow_an_over_line_are_refused(srv):
    refs = "\r\n ".join(f"<ref{i:04d}.{'r' * 40}@netbook.lab>" for i in range(60))  # short lines, long value
    with pytest.raises(NewsError, match="overview line"):
        srv.store.post(("From: a@b.c\r\nNewsgroups: lab.general\r\nSubject: s\r\nReferences: " + refs
                        + "\r\n\r\nbody\r\n").encode())
    srv.post("still numbered in order", "x", "lab.general")
    assert sorted(srv.store.groups["lab.general"].articles) == [1, 2, 3, 4, 5]


def test_a_long_header_line_from_post_is_refused(srv):
    with pytest.raises(NewsError, match="at most 998"):
        srv.post("k" * 1000, "body", "lab.general")


def test_the_client_survives_a_server_that_sends_long_over_lines(srv):
    # an article stored as another server might hold it: a 3000-byte Subject
    raw = (b"From: a@b.c\r\nNewsgroups: lab.general\r\nSubject: " + b"L" * 3000
           + b"\r\nMessage-ID: <long@x>\r\nXref: lab lab.general:5\r\n\r\nbody\r\n")
    with srv.store.lock:
        srv.store.articles["<long@x>"] = Article("<long@x>", raw, 0.0, {"lab.general": 5})
        srv.store.groups["lab.general"].articles[5] = "<long@x>"
        srv.store.groups["lab.general"].next_number = 6
    c = nntplib().NNTP(srv.host, srv.port, timeout=10)  # plain nntplib fails: the bug netbook fixes
    c.group("lab.general")
    with pytest.raises(nntplib().NNTPDataError, match="line too long"):
        c.over((1, 5))
    c.sock.close()
    with nb.news(srv.url_for(group="lab.general")) as news:
        df = news.overview()
        assert len(df) == 5 and df.iloc[-1]["subject"] == "L" * 3000
        assert news.article(5).raw.count(b"L" * 3000) == 1
