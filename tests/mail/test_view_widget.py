"""FolderView.widget(): switching folders, the per-message tables, the
blocked-content note (the browser test drives the same widget in Chromium)."""
from __future__ import annotations

import netbook as nb


def _parts(w):
    table, tabs = w.children[1].children
    preview, att_box, mime_box, recv_box = tabs.children
    return table, preview, att_box, mime_box, recv_box


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
        first_tree = mime_box.children[0]
        folders.value = "Archive"
        new_table = w.children[1].children[0]
        assert new_table is not table and table.comm is None  # the old Table widget is closed
        assert list(new_table.source.to_frame()["subject"]) == ["old"]
        # nothing of INBOX's message is left to see or to save into the wrong place
        assert "with file" not in preview.value and "select a message" in preview.value
        assert save.disabled and v.message is None
        assert att_box.children[0].children == () and mime_box.children == () and recv_box.children == ()
        assert first_tree.comm is None
        new_table.selected = [0]
        assert "old" in preview.value and save.disabled
        folders.value = "INBOX"  # and back: the second switch closes the Archive table, not the first again
        assert new_table.comm is None
        assert list(w.children[1].children[0].source.to_frame()["subject"]) == ["with file"]


def test_reselecting_replaces_and_closes_the_part_tables(mail_lab):
    for i in range(2):
        nb.mail.send(to="bob@netbook.lab", from_="a@netbook.lab", subject=f"m{i}", body="x", url=mail_lab.smtp)
    with mail_lab.imap_for("bob") as m:
        w = m.view().widget()
        table, preview, att_box, mime_box, recv_box = _parts(w)
        table.selected = [0]
        before = [mime_box.children[0], recv_box.children[0], att_box.children[0].children[0]]
        table.selected = [1]
        assert "m1" in preview.value
        assert all(t.comm is None for t in before)
        assert len(mime_box.children) == 1 and mime_box.children[0].comm is not None


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
        assert save.disabled and mime_box.children == ()  # "keep" is no longer shown as if selected
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
