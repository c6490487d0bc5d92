"""netbook's NNTP server against nntplib (a real client), command by command."""
from __future__ import annotations

import datetime as dt
import socket

import pytest

from .conftest import GROUPS, PASSWORD, nntplib


def raw_session(srv):
    """A raw socket session: (send(line) -> reply line, read_multi(), close)."""
    s = socket.create_connection((srv.host, srv.port), timeout=10)
    f = s.makefile("rwb")
    greeting = f.readline()

    def send(line: bytes | str) -> str:
        f.write((line.encode() if isinstance(line, str) else line) + b"\r\n")
        f.flush()
        return f.readline().decode().rstrip("\r\n")

    def multi() -> list[str]:
        out = []
        for _ in range(100_000):
            ln = f.readline().decode().rstrip("\r\n")
            if ln == ".":
                return out
            out.append(ln)
        raise AssertionError("no end of multi-line reply")

    return greeting.decode(), send, multi, s


def test_welcome_capabilities_mode_reader(srv):
    m = nntplib()
    c = m.NNTP(srv.host, srv.port, readermode=True)
    assert c.getwelcome().startswith("200")
    caps = c.getcapabilities()
    assert caps["VERSION"] == ["2"] and "READER" in caps and "POST" in caps
    assert "OVERVIEW.FMT" in caps["LIST"] and "HDR" in caps and caps["OVER"] == ["MSGID"]
    assert c.quit().startswith("205")


def test_group_listgroup_next_last(nntp):
    resp, count, first, last, name = nntp.group("lab.general")
    assert (count, first, last, name) == (4, 1, 4, "lab.general")
    assert nntp.group("lab.empty")[1:] == (0, 1, 0, "lab.empty")
    nntp.group("lab.general")
    assert nntp.stat()[1:] == (1, "<welcome@netbook.lab>")  # the current article is the first
    resp, n, mid = nntp.next()
    assert (n, mid) == (2, "<reply1@netbook.lab>")
    resp, n, mid = nntp.last()
    assert (n, mid) == (1, "<welcome@netbook.lab>")
    with pytest.raises(m_err("NNTPTemporaryError"), match="422"):
        nntp.last()
    # LISTGROUP, whole group and a range (sent raw: nntplib has no listgroup)
    resp, lines = nntp._longcmdstring("LISTGROUP lab.general")
    assert resp.startswith("211 4 1 4 lab.general") and lines == ["1", "2", "3", "4"]
    resp, lines = nntp._longcmdstring("LISTGROUP lab.general 2-3")
    assert lines == ["2", "3"]
    with pytest.raises(m_err("NNTPTemporaryError"), match="411"):
        nntp.group("no.such.group")


def m_err(name):
    return getattr(nntplib(), name)


def test_list_active_newsgroups_overview_fmt(nntp):
    resp, groups = nntp.list()
    by = {g.group: g for g in groups}
    assert set(by) == set(GROUPS)
    assert (by["lab.general"].last, by["lab.general"].first, by["lab.general"].flag) == ("4", "1", "y")
    resp, groups = nntp.list("lab.p*")
    assert [g.group for g in groups] == ["lab.python"]
    resp, desc = nntp.descriptions("lab.*")
    assert desc == GROUPS
    assert nntp.description("lab.python") == "Python questions"
    fmt = nntp._getoverviewfmt()
    assert fmt[:7] == ["subject", "from", "date", "message-id", "references", ":bytes", ":lines"]
    resp, lines = nntp._longcmdstring("LIST HEADERS")
    assert lines == [":"]


def test_article_head_body_stat_by_number_and_id(nntp):
    nntp.group("lab.general")
    resp, info = nntp.article(1)
    assert info.number == 1 and info.message_id == "<welcome@netbook.lab>"
    text = b"\n".join(info.lines)
    assert b"Subject: Welcome" in text and b"Xref: netbook.lab lab.general:1" in text and b"Path: netbook.lab!not-for-mail" in text
    assert b"\n.a line starting with a dot" in text  # dot-stuffing undone by the client
    resp, info = nntp.head("<reply2@netbook.lab>")
    assert any(ln.startswith(b"References: <welcome@netbook.lab>") for ln in info.lines)
    assert b"" not in info.lines and not any(ln.startswith(b"Me too") for ln in info.lines)
    resp, info = nntp.body(3)
    assert info.lines == [b"Me too."]
    resp, n, mid = nntp.stat("<other@netbook.lab>")
    assert mid == "<other@netbook.lab>"
    resp, n, mid = nntp.stat(4)
    assert (n, mid) == (4, "<other@netbook.lab>")
    with pytest.raises(m_err("NNTPTemporaryError"), match="423"):
        nntp.article(99)
    with pytest.raises(m_err("NNTPTemporaryError"), match="430"):
        nntp.article("<nope@netbook.lab>")


def test_over_xover_ranges(nntp):
    nntp.group("lab.general")
    resp, items = nntp.over((1, 4))
    assert [n for n, _ in items] == [1, 2, 3, 4]
    n, ov = items[2]
    assert ov["subject"] == "Re: Welcome" and ov["message-id"] == "<reply2@netbook.lab>"
    assert ov["references"] == "<welcome@netbook.lab> <reply1@netbook.lab>"
    assert int(ov[":bytes"]) > 0 and ov[":lines"] == "1"
    assert ov["xref"] == "netbook.lab lab.general:3 lab.python:1"
    resp, items = nntp.over((3, None))
    assert [n for n, _ in items] == [3, 4]
    resp, items = nntp.over("<welcome@netbook.lab>")
    assert items[0][1]["subject"] == "Welcome"
    resp, items = nntp.xover(2, 3)
    assert [n for n, _ in items] == [2, 3]
    with pytest.raises(m_err("NNTPTemporaryError"), match="423"):
        nntp.over((50, 60))


def test_hdr_xhdr(nntp):
    nntp.group("lab.general")
    resp, rows = nntp.xhdr("subject", "1-2")
    assert rows == [("1", "Welcome"), ("2", "Re: Welcome")]
    resp, rows = nntp.xhdr("From", "<other@netbook.lab>")
    assert rows == [("0", "carol@netbook.lab")]
    resp, lines = nntp._longcmdstring("HDR :lines 1-4")
    assert resp.startswith("225") and lines[0] == "1 2"
    resp, lines = nntp._longcmdstring("HDR Message-ID 4")
    assert lines == ["4 <other@netbook.lab>"]


def test_newgroups_newnews_date(nntp):
    then = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=5)
    resp, groups = nntp.newgroups(then)
    assert {g.group for g in groups} == set(GROUPS)
    resp, groups = nntp.newgroups(dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1))
    assert groups == []
    resp, ids = nntp.newnews("lab.python", then)
    assert ids == ["<reply2@netbook.lab>"]
    resp, ids = nntp.newnews("lab.*,!lab.python", then)
    assert len(ids) == 4  # reply2 is in lab.general too
    resp, lines = nntp.help()
    assert resp.startswith("100") and "OVER" in lines[0]
    resp, when = nntp.date()
    assert abs((when.replace(tzinfo=dt.timezone.utc) - dt.datetime.now(dt.timezone.utc)).total_seconds()) < 60


def test_post_adds_headers_and_refuses_duplicates(srv, nntp):
    art = (b"From: dave@netbook.lab\r\nNewsgroups: lab.python\r\nSubject: dots\r\n\r\n"
           b".starts with a dot\r\n..two dots\r\nend\r\n")
    resp = nntp.post(art)
    assert resp.startswith("240")
    mid = resp.split()[-1]
    resp, info = nntp.article(mid)
    text = b"\r\n".join(info.lines)
    for h in (b"Message-ID: " + mid.encode(), b"Date: ", b"Path: netbook.lab!not-for-mail", b"Xref: netbook.lab lab.python:2"):
        assert h in text
    assert text.endswith(b"\r\n.starts with a dot\r\n..two dots\r\nend")
    long_line = b"L" * 10000 + b"." * 5  # longer than a command line: arrives in pieces, kept whole
    mid2 = nntp.post(b"From: x@y\r\nNewsgroups: lab.python\r\nSubject: long\r\n\r\n" + long_line + b"\r\n.\r\n").split()[-1]
    assert srv.store.get(mid2).body == long_line + b"\r\n.\r\n"
    dup = b"From: x@y\r\nNewsgroups: lab.python\r\nSubject: again\r\nMessage-ID: <welcome@netbook.lab>\r\n\r\nhi\r\n"
    with pytest.raises(m_err("NNTPTemporaryError"), match="441.*duplicate"):
        nntp.post(dup)
    with pytest.raises(m_err("NNTPTemporaryError"), match="441.*no such newsgroup"):
        nntp.post(b"From: x@y\r\nNewsgroups: lab.nowhere\r\nSubject: s\r\n\r\nhi\r\n")
    with pytest.raises(m_err("NNTPTemporaryError"), match="441.*Subject"):
        nntp.post(b"From: x@y\r\nNewsgroups: lab.python\r\n\r\nhi\r\n")
    # the session goes on after every refusal
    assert nntp.group("lab.python")[1] == 3


def test_post_size_limit(srv):
    import netbook as nb

    small = nb.serve.nntp(groups={"lab.general": ""}, max_post=2000, name="test-news-small")
    c = nntplib().NNTP(small.host, small.port)
    big = b"From: x@y\r\nNewsgroups: lab.general\r\nSubject: big\r\n\r\n" + b"x" * 70 + b"\r\n" * 1
    with pytest.raises(m_err("NNTPTemporaryError"), match="441.*too large"):
        c.post(big + (b"y" * 70 + b"\r\n") * 100)
    assert c.post(big).startswith("240")  # the session survived; a small one is accepted
    assert c.group("lab.general")[1] == 1
    c.quit()
    log = small.log.to_frame()
    assert "441" in list(log["status"]) and "240" in list(log["status"])
    small.stop()


def test_posting_prohibited():
    import netbook as nb

    ro = nb.serve.nntp(groups={"lab.general": ""}, posting=False, name="test-news-ro")
    c = nntplib().NNTP(ro.host, ro.port, readermode=True)
    assert c.getwelcome().startswith("201") and "POST" not in c.getcapabilities()
    with pytest.raises(m_err("NNTPTemporaryError"), match="440"):
        c.post(b"From: x@y\r\nNewsgroups: lab.general\r\nSubject: s\r\n\r\nhi\r\n")
    c.quit()


def test_authinfo(auth_srv):
    m = nntplib()
    with pytest.raises(m.NNTPError, match="481"):
        m.NNTP(auth_srv.host, auth_srv.port, user="alice", password="wrong", usenetrc=False)
    c = m.NNTP(auth_srv.host, auth_srv.port)
    with pytest.raises(m.NNTPTemporaryError, match="480"):
        c.group("lab.general")
    assert "AUTHINFO" in c.getcapabilities() and "POST" not in c.getcapabilities()
    c.login("alice", PASSWORD, usenetrc=False)
    assert c.group("lab.general")[1] == 4 and "POST" in c.getcapabilities()
    c.quit()
    # the password is in no log row and no transcript
    texts = [t.text() for t in auth_srv.transcripts] + [t.to_frame().to_string() for t in auth_srv.transcripts]
    log = auth_srv.log.to_frame().to_string()
    assert PASSWORD not in log and "wrong" not in log
    assert all(PASSWORD not in t and "wrong" not in t for t in texts)
    assert any("AUTHINFO PASS ••••" in t.upper() or "authinfo pass ••••" in t for t in texts)
    assert PASSWORD in "".join(t.text(reveal=True) for t in auth_srv.transcripts)  # it did cross the wire


def test_malformed_commands_never_kill_the_server(srv):
    greeting, send, multi, s = raw_session(srv)
    assert greeting.startswith("200")
    assert send("FROBNICATE").startswith("500")
    assert send("").startswith("500")
    assert send("\x00\x01\x02").startswith("500")
    assert send("GROUP").startswith("501")
    assert send("GROUP a b").startswith("501")
    assert send("ARTICLE 1").startswith("412")  # no group yet
    assert send("NEXT").startswith("412")
    assert send("GROUP lab.general").startswith("211")
    assert send("ARTICLE abc").startswith("501")
    assert send("ARTICLE <no-closing").startswith("501")
    assert send("OVER 5-2x").startswith("501")
    assert send("OVER 3-1").startswith("423")
    assert send("LISTGROUP lab.general 9-").startswith("211") and multi() == []
    assert send("OVER 99999999999999999999").startswith("501")
    assert send("NEWGROUPS 2024 000000").startswith("501")
    assert send("NEWGROUPS 20241399 000000").startswith("501")
    assert send("NEWNEWS * 20240101").startswith("501")
    assert send("MODE WRITER").startswith("501")
    assert send("LIST NOSUCH").startswith("501")
    assert send("AUTHINFO PASS x").startswith("482")
    assert send("AUTHINFO SASL PLAIN AGFsaWNlAHNlY3JldC1zYXNs").startswith("501")  # not offered
    assert send("HDR").startswith("501")
    assert send("POST now").startswith("501")
    assert send(b"X" * 10000).startswith("500")  # line too long
    assert send("GROUP ../../etc").startswith("411")
    assert send("STAT 1").startswith("223")  # still alive and well
    assert send("HELP").startswith("100") and "ARTICLE" in " ".join(multi())
    assert send("QUIT").startswith("205")
    s.close()
    log = srv.log.to_frame()
    assert "AGFsaWNlAHNlY3JldC1zYXNs" not in log.to_string() + srv.transcripts[-1].text()
    assert len(log) >= 25 and {"500", "501", "412", "423"} <= set(log["status"])


def test_one_log_row_per_command_written_before_the_reply(srv):
    greeting, send, multi, s = raw_session(srv)
    before = len(srv.log.to_frame())
    send("GROUP lab.general")
    # the reply was read, so its row is already in the log
    rows = srv.log.to_frame()
    assert len(rows) == before + 1 and rows.iloc[-1]["request"] == "GROUP lab.general" and rows.iloc[-1]["status"] == "211"
    send("ARTICLE 1")
    multi()
    send("QUIT")
    s.close()
    assert list(srv.log.to_frame()["request"])[-3:] == ["GROUP lab.general", "ARTICLE 1", "QUIT"]


def test_path_like_group_names_refused():
    import netbook as nb
    from netbook.news.store import NewsError

    for bad in ("../etc", "/abs", "a/b", "a..b", ".lead", "", "sp ace", "a\r\nb"):
        with pytest.raises(NewsError):
            nb.serve.nntp(groups={bad: ""}, name="test-news-bad")


def test_store_on_disk_survives_restart(tmp_path):
    import netbook as nb

    s = nb.serve.nntp(groups={"lab.general": ""}, path=tmp_path / "spool", name="test-news-disk")
    c = nntplib().NNTP(s.host, s.port)
    mid = c.post(b"From: x@y\r\nNewsgroups: lab.general\r\nSubject: kept\r\n\r\nhi\r\n").split()[-1]
    c.quit()
    s.stop()
    files = list((tmp_path / "spool").iterdir())
    assert len(files) == 1 and files[0].suffix == ".eml"  # named by a hash, never by a wire value
    s = nb.serve.nntp(groups={"lab.general": ""}, path=tmp_path / "spool", name="test-news-disk")
    c = nntplib().NNTP(s.host, s.port)
    assert c.group("lab.general")[1:4] == (1, 1, 1)
    assert c.stat(mid)[2] == mid
    assert c.post(b"From: x@y\r\nNewsgroups: lab.general\r\nSubject: next\r\n\r\nhi\r\n").startswith("240")
    assert c.group("lab.general")[3] == 2
    c.quit()
    s.stop()


def test_concurrent_posts_get_unique_numbers(srv):
    import threading

    m = nntplib()
    errors = []

    def poster(k):
        try:
            c = m.NNTP(srv.host, srv.port)
            for i in range(20):
                c.post(f"From: p{k}@x\r\nNewsgroups: lab.empty\r\nSubject: {k}-{i}\r\n\r\nbody\r\n".encode())
            c.quit()
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=poster, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    c = m.NNTP(srv.host, srv.port)
    assert c.group("lab.empty")[1:4] == (120, 1, 120)
    subjects = [ov["subject"] for _, ov in c.over((1, 120))[1]]
    assert sorted(subjects) == sorted(f"{k}-{i}" for k in range(6) for i in range(20))
    c.quit()


def test_an_internal_fault_is_a_reply_not_a_dead_session(srv, monkeypatch):
    def boom(*a, **k):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(srv.store, "in_group", boom)
    greeting, send, multi, s = raw_session(srv)
    send("GROUP lab.general")
    assert send("ARTICLE 1").startswith("403")
    monkeypatch.undo()
    assert send("STAT 1").startswith("223")
    send("QUIT")
    s.close()
    assert "internal error: disk on fire" in set(srv.log.to_frame()["detail"])
