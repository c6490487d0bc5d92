import mailbox
import os
import re

import pytest
from IPython.core.error import UsageError

import netbook as nb
from netbook.errors import InjectionError
from netbook.mail.message import MailMessage, safe_html_document, sandboxed_iframe

HOSTILE = """<html><head><meta http-equiv="refresh" content="0;url=https://evil.example/"><base href="https://evil.example/">
<link rel=stylesheet href="https://evil.example/s.css"><style>@import url(https://evil.example/i.css); body{background:url('https://evil.example/bg.png')}</style></head>
<body onload="alert(1)"><script>alert(document.cookie)</script><img src="https://evil.example/pixel.gif" width=1>
<img srcset="//evil.example/a.png 2x"><img src=http://evil.example/b.png><a href="https://ok.example/">link</a>
<iframe src="https://evil.example/frame"></iframe><img src="data:image/png;base64,iVBORw0KGgo=">"""


def test_hostile_html_is_inert():
    doc = safe_html_document(HOSTILE)
    assert "evil.example" not in doc
    assert "Content-Security-Policy" in doc and "default-src 'none'" in doc
    assert "data:image/png" in doc  # inline images still show
    frame = sandboxed_iframe(HOSTILE)
    assert re.match(r'<iframe sandbox="" ', frame) and "allow-scripts" not in frame and "allow-same-origin" not in frame
    # everything sits escaped inside srcdoc: nothing runs in the notebook page
    outside = re.sub(r'srcdoc="[^"]*"', "", frame)
    assert "<script" not in outside and "onload" not in outside


def test_message_preview_parts_and_received_chain(tmp_path):
    raw = (b"Received: from relay.example (relay.example [10.0.0.2]) by mx.example with ESMTP; Mon, 02 Mar 2026 10:00:05 +0000\n"
           b"Received: from laptop (laptop [10.0.0.1]) by relay.example with ESMTPSA; Mon, 02 Mar 2026 10:00:01 +0000\n"
           b"From: Bob <bob@x>\nTo: alice@y\nSubject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\nMIME-Version: 1.0\n"
           b"Content-Type: multipart/mixed; boundary=XX\n\n--XX\nContent-Type: text/html\n\n" + HOSTILE.encode() +
           b"\n--XX\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename=\"../../etc/passwd\"\n"
           b"Content-Transfer-Encoding: base64\n\naGVsbG8=\n--XX--\n")
    m = MailMessage(raw)
    assert m.subject == "Grüße"
    rc = m.received()
    assert list(rc["from"]) == ["laptop (laptop [10.0.0.1])", "relay.example (relay.example [10.0.0.2])"]
    assert list(rc["by"]) == ["relay.example", "mx.example"] and list(rc["hop"]) == [1, 2]
    tree = m.mime_tree()
    assert list(tree["type"]) == ["multipart/mixed", "text/html", "application/octet-stream"]
    bundle = m._repr_mimebundle_()
    outside = re.sub(r'srcdoc="[^"]*"', "", bundle["text/html"])
    assert "<script" not in outside and "evil.example" not in bundle["text/html"]
    paths = m.save_attachments(tmp_path / "att")
    assert [os.path.basename(p) for p in paths] == ["passwd"] and os.path.dirname(paths[0]) == str(tmp_path / "att")
    assert open(paths[0], "rb").read() == b"hello"


def test_export_mbox_maildir_eml(tmp_path):
    msgs = [MailMessage(f"From: a@b\nSubject: m{i}\n\nFrom the start\nx\n".encode()) for i in range(3)]
    nb.mail.export(msgs, tmp_path / "box.mbox", "mbox")
    assert [m["subject"] for m in mailbox.mbox(tmp_path / "box.mbox")] == ["m0", "m1", "m2"]
    nb.mail.export(msgs, tmp_path / "md", "maildir")
    assert sorted(m["subject"] for m in mailbox.Maildir(tmp_path / "md")) == ["m0", "m1", "m2"]
    nb.mail.export(msgs, tmp_path / "eml", "eml")
    assert sorted(os.listdir(tmp_path / "eml")) == ["00001.eml", "00002.eml", "00003.eml"]
    with pytest.raises(ValueError):
        nb.mail.export(msgs, tmp_path / "x", "pst")


def test_folder_view_imap_and_pop(mail_lab, tmp_path):
    for i in range(3):
        nb.mail.send(to="alice@netbook.lab", from_="bob@netbook.lab", subject=f"s{i}", body="x",
                     html="<p>hi<img src='https://evil.example/t.gif'></p>", url=mail_lab.smtp)
    with mail_lab.imap_for("alice") as m:
        m.create("Archive")
        v = m.view()
        assert v.folders == ["INBOX", "Archive"] and list(v.to_frame()["subject"]) == ["s0", "s1", "s2"]
        b = m._repr_mimebundle_()
        assert {"text/plain", "text/html", "application/vnd.jupyter.widget-view+json"} <= set(b)
        assert "Archive" in b["text/html"] and "s2" in b["text/html"]
        msg = v.show(2)
        assert msg.subject == "s1" and "evil.example" not in msg.preview_html()
        v.export(tmp_path / "inbox.mbox")
        assert len(mailbox.mbox(tmp_path / "inbox.mbox")) == 3
        assert v.open("Archive").to_frame().empty
        # the widget drives the preview from a Table selection
        w = v.open("INBOX").widget()
        table = w.children[1].children[1]
        table.selected = [0]
        preview = w.children[1].children[2].children[0]
        assert "s0" in preview.value and "sandbox" in preview.value
        save_button = w.children[1].children[2].children[1].children[1].children[1]
        assert save_button.disabled  # s0 has no attachments
        assert m.search(seen=True) == []  # previewing never marks seen
    with mail_lab.pop3_for("alice") as p:
        v = p.view()
        assert v.folders == ["INBOX"] and v.show(1).subject == "s0"
        assert "s0" in p._repr_mimebundle_()["text/html"]


def test_lazy_source_for_huge_folders(mail_lab):
    for i in range(12):
        nb.mail.send(to="bob@netbook.lab", from_="a@netbook.lab", subject=f"n{i}", body="x", url=mail_lab.smtp)
    with mail_lab.imap_for("bob") as m:
        src = m._view_source("INBOX", eager_limit=5)
        assert type(src).__name__ == "LazySource" and src.length == 12
        page = src.rows(10, 12)
        assert [r[5] for r in page.rows] == ["n10", "n11"]


@pytest.fixture
def shell(ipython):
    return ipython  # the shared test shell with netbook's magics (tests/conftest.py)


def test_smtp_magics(shell, mail_lab):
    shell.user_ns.update(name="Alice", evil="x\r\nBcc: victim@x", url=mail_lab.smtp.url, pw=mail_lab.users["alice"])
    r = shell.run_cell_magic("smtp", "--url {url} --user alice --password {pw} -o res",
                             "From: teacher@netbook.lab\nTo: alice@netbook.lab\nSubject: Hello {name}\n\nDear {name},\n{evil}\n")
    assert r.ok and shell.user_ns["res"] is r
    with mail_lab.imap_for("alice") as m:
        msg = m.message(m.search()[0])
        assert msg.subject == "Hello Alice" and "Dear Alice" in msg.text and "Bcc: victim@x" in msg.text  # body may hold it
        assert msg["Bcc"] is None
    with pytest.raises(InjectionError):
        shell.run_cell_magic("smtp", "--url {url}", "From: a@b\nTo: alice@netbook.lab\nSubject: {evil}\n\nbody\n")
    d = shell.run_cell_magic("smtp", "--dry-run", "From: a@b\nTo: c@d\nSubject: s\n\nb\n")
    assert d.dry_run
    srv = shell.run_line_magic("smtp", "serve --users alice:pw1 --auth optional --fault 'RCPT 2 452 Too many' --name magic-smtp -o s2")
    try:
        assert shell.user_ns["s2"] is srv and srv.users == {"alice": "pw1"} and str(srv.faults[0]) == "RCPT 2 452 Too many"
        assert shell.run_line_magic("smtp", "log magic-smtp").source is srv.log
    finally:
        shell.run_line_magic("smtp", "stop magic-smtp")
    with pytest.raises(UsageError):
        shell.run_line_magic("smtp", "frobnicate")


def test_folder_view_saves_attachments(mail_lab, tmp_path):
    nb.mail.send(to="bob@netbook.lab", from_="a@netbook.lab", subject="with file", body="x",
                 attachments=[("../../evil.txt", b"payload")], url=mail_lab.smtp)
    with mail_lab.imap_for("bob") as m:
        w = m.view().widget()
        table = w.children[1].children[1]
        table.selected = [0]
        att_box = w.children[1].children[2].children[1]
        path_box, button = att_box.children[1].children[0], att_box.children[1].children[1]
        assert not button.disabled
        path_box.value = str(tmp_path / "out")
        button.click()
        assert os.listdir(tmp_path / "out") == ["evil.txt"]
        assert (tmp_path / "out" / "evil.txt").read_bytes() == b"payload"
        assert not (tmp_path / "evil.txt").exists()


def test_quick_headers_first_field_wins_folded_and_encoded():
    from netbook.mail.message import quick_headers

    raw = (b"Received: from a\r\n\tby b\r\nFROM: Ann <ann@x.org>\r\nTo: bob@x.org,\r\n carol@x.org\r\n"
           b"Subject: =?utf-8?q?h=C3=A9llo?=\r\nSubject: second\r\nX-Subject: no\r\n\r\nFrom: body@x.org\r\n\n\nTo: z\n")
    assert quick_headers(raw) == {"from": "Ann <ann@x.org>", "to": "bob@x.org, carol@x.org", "subject": "héllo"}
    # LF line ends, a header block without a body, a folded line before any field, an empty value
    assert quick_headers(b" folded\nSubject:\nDate: Mon, 2 Mar 2026 10:00:00 +0000") == {
        "subject": "", "date": "Mon, 2 Mar 2026 10:00:00 +0000"}
    assert quick_headers(b"To: a\n\nFrom: body\n", ("from", "to")) == {"to": "a"}
    assert quick_headers(b"", ("from",)) == {}
