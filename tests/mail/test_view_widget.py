"""FolderView.widget(): switching folders, the per-message tables, the
blocked-content note (the browser test drives the same widget in Chromium)."""
from __future__ import annotations

import netbook as nb


def _parts(w):
    _note, table, tabs = w.children[1].children
    preview, att_box, mime_box, recv_box = tabs.children
    return table, preview, att_box, mime_box, recv_box


def _rows(table, column):
    return list(table.page_frame[column])


def test_switching_folder_clears_the_previous_message(mail_lab, tmp_path):
    nb.mail.send(to="alice@netbook.lab", from_="bob@netbook.lab", subject="with file", body="x",
                 attachments=[("a.txt", b"A")], url=mail_lab.smtp)
    with mail_lab.imap_for("alice") as m:
        m.create("Archive")
        m.append(b"From: c@netbook.lab\r\nSubject: old\r\n\r\nold\r\n", "Archive")
        v = m.view()
        w = v.widget()
        folders = w.children[0]
        table, preview, att_box, mime_box, recv_box = _parts(w)
        table.selected = [0]
        save = att_box.children[1].children[1]
        assert "with file" in preview.value and not save.disabled and v.message.subject == "with file"
        tree = mime_box  # the MIME tree tab is one Table, kept: its rows switch
        assert len(_rows(tree, "type")) == 3
        folders.value = "Archive"
        # the same Table widget shows the other folder (no widget replaced, none closed under the browser)
        assert w.children[1].children[1] is table and table.comm is not None
        assert _rows(table, "subject") == ["old"] and table.title == "Archive"
        # nothing of INBOX's message is left to see or to save into the wrong place
        assert "with file" not in preview.value and "select a message" in preview.value
        assert save.disabled and v.message is None
        assert _rows(att_box.children[0], "filename") == [] and _rows(tree, "type") == [] and _rows(recv_box, "hop") == []
        table.selected = [0]
        assert "old" in preview.value and save.disabled
        folders.value = "INBOX"
        assert _rows(table, "subject") == ["with file"]


def test_reselecting_replaces_and_closes_the_part_tables(mail_lab):
    for i in range(2):
        nb.mail.send(to="bob@netbook.lab", from_="a@netbook.lab", subject=f"m{i}", body="x", url=mail_lab.smtp)
    with mail_lab.imap_for("bob") as m:
        w = m.view().widget()
        table, preview, _att_box, mime_box, _recv_box = _parts(w)
        table.selected = [0]
        assert _rows(mime_box, "type") == ["text/plain"]
        table.selected = [1]
        assert "m1" in preview.value
        assert mime_box.comm is not None and len(_rows(mime_box, "type")) == 1


def test_preview_notes_blocked_remote_content(mail_lab):
    nb.mail.send(to="alice@netbook.lab", from_="bob@netbook.lab", subject="tracker",
                 html="<p>hi<img src='http://evil.example/t.gif'><img src='https://evil.example/u.gif'></p>", url=mail_lab.smtp)
    nb.mail.send(to="alice@netbook.lab", from_="bob@netbook.lab", subject="clean", html="<p>hi</p>", url=mail_lab.smtp)
    with mail_lab.imap_for("alice") as m:
        table, preview, *_ = _parts(m.view().widget())
        table.selected = [0]
        assert "2 remote links or images blocked" in preview.value and "evil.example" not in preview.value
        table.selected = [1]
        assert "blocked" not in preview.value and "sandbox" in preview.value


def test_unloadable_or_deselected_message_leaves_nothing_to_save(mail_lab, tmp_path):
    nb.mail.send(to="alice@netbook.lab", from_="bob@netbook.lab", subject="keep", body="x",
                 attachments=[("k.txt", b"K")], url=mail_lab.smtp)
    nb.mail.send(to="alice@netbook.lab", from_="bob@netbook.lab", subject="gone", body="y", url=mail_lab.smtp)
    with mail_lab.imap_for("alice") as m:
        table, preview, att_box, mime_box, _ = _parts(m.view().widget())
        save = att_box.children[1].children[1]
        table.selected = [0]
        assert not save.disabled and "keep" in preview.value
        with mail_lab.imap_for("alice") as other:  # another client deletes "gone" meanwhile
            other.select("INBOX", readonly=False)
            other.delete(other.search(subject="gone"))
        table.selected = [1]
        assert "cannot load message" in preview.value and "no message with UID 2" in preview.value
        assert save.disabled and _rows(mime_box, "type") == []  # "keep" is no longer shown as if selected
        table.selected = [0]
        assert "keep" in preview.value and not save.disabled
        table.selected = []  # deselected (Escape in the table)
        assert "select a message" in preview.value and save.disabled


def test_lazy_pages_stay_in_their_folder_when_the_session_moves(mail_lab):
    for i in range(4):
        nb.mail.send(to="bob@netbook.lab", from_="a@netbook.lab", subject=f"in{i}", body="x", url=mail_lab.smtp)
    with mail_lab.imap_for("bob") as m:
        m.create("Big")
        for i in range(6):
            m.append(f"From: r@netbook.lab\r\nSubject: big{i}\r\n\r\nb\r\n", "Big")
        src = m._view_source("Big", eager_limit=5)
        assert type(src).__name__ == "LazySource"
        m.select("INBOX")  # e.g. a later cell uses the same session
        assert [r[5] for r in src.rows(4, 6).rows] == ["big4", "big5"]


def test_view_outlives_the_session_it_was_given(mail_lab):
    """A later cell closes the session (``m.close()`` / a ``with`` block): the
    view opens its own and goes on; a stopped server is said plainly."""
    nb.mail.send(to="alice@netbook.lab", from_="bob@netbook.lab", subject="first", body="one", url=mail_lab.smtp)
    m = mail_lab.imap_for("alice")
    m.create("Archive")
    m.append(b"From: c@netbook.lab\r\nSubject: archived\r\n\r\nold\r\n", "Archive")
    v = m.view()
    w = v.widget()
    folders = w.children[0]
    note = w.children[1].children[0]
    table, preview, *_ = _parts(w)
    m.close()
    assert m.closed
    table.selected = [table.row_keys[0]]
    assert "one" in preview.value and "LOGOUT" not in preview.value
    assert "opened its own" in note.value and v.client is not m and not v.client.closed
    folders.value = "Archive"
    assert _rows(table, "subject") == ["archived"]
    v.client.close()  # closed again: reopened again
    folders.value = "INBOX"
    assert _rows(table, "subject") == ["first"] and v.reconnected == 2
    mail_lab.stop()  # the server is gone: a plain sentence, the view stays usable
    table.selected = [table.row_keys[0]]
    assert "cannot load message" in preview.value and "is the server stopped?" in preview.value
    assert "Traceback" not in preview.value and "illegal in state" not in preview.value
    folders.value = "Archive"
    assert "cannot open Archive" in note.value and folders.value == "INBOX"  # the selection goes back


def test_lazy_folder_pages_through_a_reopened_session(mail_lab):
    with mail_lab.imap_for("bob") as m:
        m.create("Big")
        for i in range(6):
            m.append(f"From: r@netbook.lab\r\nSubject: big{i}\r\n\r\nb\r\n", "Big")
    m = mail_lab.imap_for("bob")
    m.select("Big")
    m._view_source = lambda folder, _f=m._view_source: _f(folder, eager_limit=5)  # page lazily
    v = m.view()
    table = v.widget().children[1].children[1]
    assert type(v.source()).__name__ == "LazySource"
    m.close()
    table.page(0)
    table.goto(5)
    assert _rows(table, "subject")[-1] == "big5" and not table.error


def test_html_frames_are_as_tall_as_their_content_within_a_bound():
    import re

    from netbook.http.view import sandboxed_iframe as http_frame
    from netbook.mail.message import estimate_height, sandboxed_iframe

    def height(markup):
        return int(re.search(r"height:(\d+)px", markup).group(1))

    short = height(sandboxed_iframe("<p>Hi <b>Alice</b></p>"))
    assert 48 <= short <= 80  # two words: no 320 px of white
    long = "".join(f"<p>paragraph {i} " + "word " * 40 + "</p>" for i in range(200))
    assert height(sandboxed_iframe(long)) == 480  # bounded: the frame scrolls
    assert short < height(sandboxed_iframe("<h1>t</h1>" + "<p>x</p>" * 8)) < 480
    assert height(http_frame("<h1>a page</h1>")) == estimate_height("<h1>a page</h1>")
    assert height(sandboxed_iframe("<p>x</p>", height=200)) == 200
