"""netbook's clients against netbook's lab servers and against Dovecot."""
import threading
import time

import pandas as pd
import pytest

import netbook as nb
from netbook.errors import InjectionError, NetworkError
from netbook.mail import IMAP, POP3, Q, MailError

from .conftest import PASSWORDS


def _send_some(lab, n=3):
    for i in range(n):
        r = nb.mail.send(to="alice@netbook.lab", from_="bob@netbook.lab", subject=f"note {i}", body=f"body {i}", url=lab.smtp)
        assert r.ok


def test_send_result_reports_each_recipient(mail_lab):
    r = nb.mail.send("From: bob@netbook.lab\nTo: alice@netbook.lab, nobody@netbook.lab\nCc: bob@netbook.lab\n"
                     "Bcc: alice@netbook.lab\nSubject: Grüße\n\nHallo, wie geht's?\n", url=mail_lab.smtp)
    df = r.to_frame()
    assert list(df["recipient"]) == ["alice@netbook.lab", "nobody@netbook.lab", "bob@netbook.lab", "alice@netbook.lab"]
    assert list(df["code"]) == [250, 550, 250, 250] and list(df["accepted"]) == [True, False, True, True]
    assert r.delivered and not r.ok and set(r.refused) == {"nobody@netbook.lab"}
    assert "✗ nobody@netbook.lab: 550" in repr(r)
    with mail_lab.imap_for("alice") as m:
        msg = m.message(m.search()[0])
        assert msg.subject == "Grüße" and msg.text == "Hallo, wie geht's?\n"
        assert msg["Bcc"] is None  # Bcc never travels


def test_send_with_auth_starttls_attachments_and_dry_run(tmp_path):
    from netbook.mail.store import MailStore

    store = MailStore(tmp_path / "m")
    f = tmp_path / "data.csv"
    f.write_text("a,b\n1,2\n")
    with nb.serve.smtp(store, users={"alice": "pw1"}, auth="required", starttls=True) as srv:
        r = nb.mail.send(to="alice@netbook.lab", from_="alice@netbook.lab", subject="with file", body="see file",
                         html="<p>see file</p>", attachments=[f, ("notes.txt", "hi")], url=srv, user="alice",
                         password="pw1", starttls=True)
        assert r.ok
        assert "STARTTLS" in r.transcript.text() and "pw1" not in repr(r.transcript)
        with pytest.raises(MailError, match="authentication failed"):
            nb.mail.send(to="alice@netbook.lab", from_="a@b", subject="x", body="x", url=srv, user="alice",
                         password="nope", starttls=True)
    from netbook.mail.message import MailMessage

    e = store.folder("alice").snapshot()[0]
    m = MailMessage(store.folder("alice").raw(e))
    assert list(m.attachments["filename"]) == ["data.csv", "notes.txt"]
    assert m.html.strip() == "<p>see file</p>"
    d = nb.mail.send(to="x@y", from_="a@b", subject="draft", body="b", dry_run=True)
    assert "dry run" in repr(d) and "Subject: draft" in d._repr_mimebundle_()["text/html"]


def test_send_refuses_injection_and_reports_network_errors():
    with pytest.raises(InjectionError):
        nb.mail.send(to="a@b", from_="x@y", subject="hi\r\nBcc: victim@x", body="b", dry_run=True)
    with pytest.raises(InjectionError):
        nb.mail.send(to="a@b\nBcc: v@x", from_="x@y", subject="hi", body="b", dry_run=True)
    with pytest.raises(NetworkError, match="cannot connect"):
        nb.mail.send(to="a@b", from_="x@y", subject="s", body="b", url="smtp://127.0.0.1:1")
    with pytest.raises(MailError, match="no recipients"):
        nb.mail.send(from_="x@y", subject="s", body="b", dry_run=True)
    with pytest.raises(nb.errors.NetbookError if hasattr(nb, "errors") else Exception, match="not a smtp"):
        nb.mail.send(to="a@b", from_="x@y", subject="s", body="b", url="http://127.0.0.1:1")


def test_send_many_mail_merge(mail_lab):
    df = pd.DataFrame({"name": ["Alice", "Bob", "Eve"], "email": ["alice@netbook.lab", "bob@netbook.lab", "x@y\r\nBcc: z@q"]})
    out = nb.mail.send_many(df, "From: teacher@netbook.lab\nTo: {email}\nSubject: Hello {name}\n\nDear {name},\nsee you.\n",
                            url=mail_lab.smtp)
    assert list(out["delivered"]) == [True, True, False]
    assert "line break" in out["reply"].iloc[2]
    with mail_lab.imap_for("bob") as m:
        assert list(m.headers()["subject"]) == ["Hello Bob"]


def test_pop3_client_on_lab(mail_lab):
    _send_some(mail_lab)
    with POP3(mail_lab.pop3.url_for("alice"), password=PASSWORDS["alice"]) as p:
        df = p.to_frame()
        assert list(df.columns) == ["number", "uidl", "size", "from", "to", "subject", "date"]
        assert list(df["subject"]) == ["note 0", "note 1", "note 2"]
        assert str(df["date"].dtype).startswith("datetime64")
        assert p.retrieve(2).text == "body 1\n"
        p.delete(1)
    with POP3(mail_lab.pop3.url_for("alice"), password=PASSWORDS["alice"]) as p:
        assert list(p.to_frame()["subject"]) == ["note 1", "note 2"]
        p.delete(1)
        p.reset()
    with pytest.raises(MailError, match="refused"):
        POP3(mail_lab.pop3.url_for("alice"), password="wrong")
    with POP3(mail_lab.pop3.url_for("alice"), password=PASSWORDS["alice"], apop=True) as p:
        assert p.stat()[0] == 2


def test_imap_client_on_lab(mail_lab):
    _send_some(mail_lab, 4)
    with IMAP(mail_lab.imap.url_for("alice") + "/INBOX", password=PASSWORDS["alice"]) as m:
        assert m.folder == "INBOX" and m.count == 4
        h = m.headers()
        assert list(h.columns) == ["uid", "flags", "date", "from", "to", "subject", "size", "attachments"]
        assert list(h["subject"]) == [f"note {i}" for i in range(4)]
        assert m.search(Q(subject="note 1") | Q(subject="note 3")) == [2, 4]
        assert m.search(~Q(subject="note 1") & Q(unseen=True)) == [1, 3, 4]
        assert m.search(from_="bob", since="2000-01-01") == [1, 2, 3, 4]
        msg = m.message(2)
        assert msg.text == "body 1\n"
        assert m.headers()["flags"].iloc[1] == "\\Recent"  # reading never marks seen; EXAMINE keeps \Recent
        m.mark_seen([2])
        assert m.search(seen=True) == [2]
        m.create("Archive")
        m.move([1, 2], "Archive")
        assert list(m.headers()["uid"]) == [3, 4]
        m.copy(3, "Archive")
        folders = m.folders().set_index("folder")
        assert folders.loc["Archive", "messages"] == 3 and folders.loc["INBOX", "messages"] == 2
        m.append("Subject: kept\r\n\r\nx\r\n", "Archive", flags=["\\Flagged"])
        m.select("Archive")
        assert list(m.headers()["subject"]) == ["note 0", "note 1", "note 2", "kept"]
        m.delete([4])
        assert m.count == 4 and len(m.headers()) == 3
        with pytest.raises(InjectionError):
            m.search(Q(subject="x\r\nA1 LOGOUT"))


def test_imap_idle_on_lab(mail_lab):
    with mail_lab.imap_for("alice") as m:
        threading.Timer(0.3, lambda: nb.mail.send(to="alice@netbook.lab", from_="b@x", subject="ping", body="x", url=mail_lab.smtp)).start()
        news = m.idle(timeout=10)
        assert news == ["1 EXISTS", "1 RECENT"]
        assert list(m.headers()["subject"]) == ["ping"]


def test_open_url_and_masking(mail_lab):
    url = mail_lab.imap.url.replace("imap://", f"imap://alice:{PASSWORDS['alice']}@") + "/INBOX"
    with nb.mail.open_url(url) as m:
        assert isinstance(m, IMAP) and m.folder == "INBOX"
        assert PASSWORDS["alice"] not in repr(m) and "alice:••••@" in repr(m)
    with nb.mail.open_url(mail_lab.pop3.url_for("alice"), password=PASSWORDS["alice"]) as p:
        assert isinstance(p, POP3)
    with pytest.raises(nb.errors.NetbookError if hasattr(nb, "errors") else Exception):
        nb.mail.open_url("gopher://x")


def test_clients_report_network_errors():
    with pytest.raises(NetworkError):
        IMAP("imap://u@127.0.0.1:1", password="x")
    with pytest.raises(NetworkError):
        POP3("pop://u@127.0.0.1:1", password="x")


# ---------------------------------------------------------------------------
# Dovecot, a real server
# ---------------------------------------------------------------------------


def _seed(dovecot, user, n):
    md = dovecot.maildir(user)
    for i in range(n):
        md.add(f"From: sender{i % 3}@example.org\nTo: {user}@example.org\nSubject: message {i}\n"
               f"Date: Mon, 02 Mar 2026 10:{i % 60:02d}:00 +0000\n\nbody {i}\n".encode())
    dovecot.fix_owner(user)


def test_imap_client_against_dovecot(dovecot):
    _seed(dovecot, "imapper", 30)
    with IMAP(dovecot.imap_url("imapper"), password=dovecot.password) as m:
        h = m.headers()
        assert len(h) == 30 and list(h["subject"][:2]) == ["message 0", "message 1"]
        assert m.search(from_="sender1") == list(h.loc[h["from"] == "sender1@example.org", "uid"])
        assert m.search(Q(subject="message 29") | Q(subject="message 3")) == [4, 30]
        assert m.message(int(h["uid"].iloc[5])).text == "body 5\n"
        assert m.search(seen=True) == []  # PEEK
        m.create("Archive")
        m.move([1, 2, 3], "Archive")
        m.flag([4], add=["\\Flagged"])
        assert m.search(flagged=True) == [4]
        m.append("Subject: appended\r\n\r\nhi\r\n", "Archive")
        f = m.folders().set_index("folder")
        assert f.loc["Archive", "messages"] == 4 and f.loc["INBOX", "messages"] == 27
        m.select("Archive")
        assert list(m.headers()["subject"]) == ["message 0", "message 1", "message 2", "appended"]
        # IDLE against Dovecot
        m.select("INBOX")
        threading.Timer(0.3, lambda: m2.append("Subject: late\r\n\r\nx\r\n", "INBOX")).start()
        with IMAP(dovecot.imap_url("imapper"), password=dovecot.password) as m2:
            news = m.idle(timeout=10)
        assert "28 EXISTS" in news
    with pytest.raises(MailError, match="refused"):
        IMAP(dovecot.imap_url("imapper"), password="wrong")


def test_pop3_client_against_dovecot(dovecot):
    _seed(dovecot, "popper", 5)
    with POP3(dovecot.pop_url("popper"), password=dovecot.password) as p:
        df = p.to_frame()
        assert list(df["subject"]) == [f"message {i}" for i in range(5)]
        assert p.retrieve(3).text == "body 2\n"
        p.delete(1)
    with POP3(dovecot.pop_url("popper"), password=dovecot.password) as p:
        assert len(p.to_frame()) == 4


def test_catcher_relays_into_dovecot_folder_read_by_imap(dovecot, tmp_path):
    """SMTP catcher -> its Maildir -> Dovecot serves the same Maildir."""
    import os

    from netbook.mail.store import MailStore

    store = MailStore(os.path.join(dovecot.root, "mail"))  # Dovecot's mail_location is mail/%u
    with nb.serve.smtp(store) as srv:
        nb.mail.send(to="shared@example.org", from_="a@b", subject="through dovecot", body="x", url=srv)
    dovecot.fix_owner("shared")
    with IMAP(dovecot.imap_url("shared"), password=dovecot.password) as m:
        assert list(m.headers()["subject"]) == ["through dovecot"]


def test_clients_starttls_against_lab_certificate(tmp_path):

    lab = nb.lab("mail", users=PASSWORDS, path=tmp_path / "tls", starttls=True, name="tls")
    try:
        r = nb.mail.send(to="alice@netbook.lab", from_="bob@netbook.lab", subject="secure", body="x", url=lab.smtp,
                         user="bob", password=PASSWORDS["bob"], starttls=True)
        assert r.ok
        with IMAP(lab.imap.url_for("alice"), password=PASSWORDS["alice"], starttls=True) as m:
            assert list(m.headers()["subject"]) == ["secure"]
            assert "STARTTLS" in m.transcript.text()
        with POP3(lab.pop3.url_for("alice"), password=PASSWORDS["alice"], starttls=True) as p:
            assert list(p.to_frame()["subject"]) == ["secure"]
        # TLS is verified: a client that does not know the lab certificate refuses it
        from netbook.mail.tls import make_certificate

        other, _ = make_certificate("other.lab")
        with pytest.raises(NetworkError, match="CERTIFICATE_VERIFY_FAILED"):
            IMAP(lab.imap.url_for("alice"), password=PASSWORDS["alice"], starttls=True, cafile=other)
    finally:
        lab.stop()


def test_clients_over_implicit_tls(store):
    """smtps://, pops://, imaps:// against lab servers speaking TLS from the first byte."""
    import smtplib

    with nb.serve.smtp(store, tls=True, name="smtps") as s, nb.serve.pop3(store, tls=True, name="pops") as p, \
            nb.serve.imap(store, tls=True, name="imaps") as i:
        assert (s.url.split(":")[0], p.url.split(":")[0], i.url.split(":")[0]) == ("smtps", "pops", "imaps")
        assert nb.mail.send(to="alice@netbook.lab", from_="b@x", subject="over tls", body="x", url=s).ok
        with POP3(p.url_for("alice"), password="x") as pop:
            assert list(pop.to_frame()["subject"]) == ["over tls"]
        with IMAP(i.url_for("alice"), password="x") as m:
            assert list(m.headers()["subject"]) == ["over tls"]
        # a plain-text client gets nowhere, and the servers live on
        with pytest.raises((smtplib.SMTPServerDisconnected, OSError)):
            smtplib.SMTP(s.host, s.port, timeout=1).noop()
        import poplib

        with pytest.raises((poplib.error_proto, OSError)):
            poplib.POP3(p.host, p.port, timeout=1)
        with POP3(p.url_for("alice"), password="x") as pop:
            assert pop.stat()[0] == 1
        deadline = time.time() + 5  # the server logs the failed handshake when it sees the client go
        while "failed" not in set(p.log.to_frame()["status"]) and time.time() < deadline:
            time.sleep(0.05)
        assert "failed" in set(p.log.to_frame()["status"])


# ---------------------------------------------------------------------------
# Unicode folder names (modified UTF-7 on the wire) and \Recent
# ---------------------------------------------------------------------------


def test_imap_client_unicode_folders_and_recent_on_lab(mail_lab):
    _send_some(mail_lab, 3)
    url = mail_lab.imap.url_for("alice")
    with IMAP(url, password=PASSWORDS["alice"]) as m:
        # EXAMINE (the default) sees \Recent without taking it
        assert (m.count, m.recent) == (3, 3)
        assert m.search(recent=True) == [1, 2, 3] and m.search(new=True) == [1, 2, 3]
        assert set(m.headers()["flags"]) == {"\\Recent"}
        for name in ("Entwürfe", "日本語", "a&b", "Entwürfe.2026"):
            m.create(name)
        assert m.folder_names == ["INBOX", "Entwürfe", "Entwürfe.2026", "a&b", "日本語"]
        assert '"Entw&APw-rfe"' in m.transcript.text() and "&ZeVnLIqe-" in m.transcript.text()
        m.copy([1], "Entwürfe")
        m.move([2], "日本語")
        m.append("Subject: Grüße\r\n\r\nx\r\n", "a&b")
        f = m.folders().set_index("folder")
        assert list(f.columns) == ["flags", "delimiter", "messages", "recent", "unseen", "uidnext"]
        assert f.loc["Entwürfe", ["messages", "recent"]].tolist() == [1, 1]
        assert f.loc["日本語", "messages"] == 1 and f.loc["a&b", "recent"] == 1
        m.select("日本語")
        assert m.folder == "日本語" and list(m.headers()["subject"]) == ["note 1"]
        m.rename_folder("Entwürfe.2026", "Entwürfe.Ältere")
        m.delete_folder("Entwürfe.Ältere")
        assert "Entwürfe.Ältere" not in m.folder_names
        with pytest.raises(InjectionError):
            m.create("x\r\nA1 LOGOUT")
        with pytest.raises(MailError, match="refused"):
            m.create("../../etc")
        with pytest.raises(MailError, match="refused"):
            m.create("bell\x07name")  # encoded fine, refused by the server
    # move() opened INBOX read-write, which claimed its recent messages
    with IMAP(url, password=PASSWORDS["alice"]) as m:
        assert (m.count, m.recent) == (2, 0) and m.search(recent=False) == [1, 3]
        assert m.folders().set_index("folder").loc["INBOX", "recent"] == 0
    # a read-write SELECT claims: \Recent there, and in no later session
    with IMAP(url, password=PASSWORDS["alice"], folder="a&b", readonly=False) as m:
        assert (m.count, m.recent) == (1, 1) and m.search(Q(recent=True) & Q(new=True)) == [1]
    with IMAP(url, password=PASSWORDS["alice"], folder="a&b") as m:
        assert m.recent == 0 and m.search(new=True) == []
    assert mail_lab.store.folders("alice") == ["INBOX", "Entwürfe", "a&b", "日本語"]
    # in an imap:// URL a Unicode name is UTF-8, %-encoded (RFC 5092)
    with nb.mail.open_url(url + "/Entw%C3%BCrfe", password=PASSWORDS["alice"]) as m:
        assert (m.folder, m.count) == ("Entwürfe", 1)


def test_imap_client_unicode_folders_against_dovecot(dovecot):
    """Dovecot is the reference for the wire form and the directories on disk."""
    import os

    from netbook.mail.store import MailStore, folder_dir

    _seed(dovecot, "unicode", 3)
    with IMAP(dovecot.imap_url("unicode"), password=dovecot.password) as m:
        assert m.recent == 3 and m.search(new=True) == [1, 2, 3]
        for name in ("Entwürfe", "日本語", "a&b"):
            m.create(name)
        m.copy([1, 2], "Entwürfe")
        m.append("Subject: hi\r\n\r\nx\r\n", "日本語")
        f = m.folders().set_index("folder")
        assert set(f.index) == {"INBOX", "Entwürfe", "日本語", "a&b"}
        assert f.loc["Entwürfe", ["messages", "recent"]].tolist() == [2, 2]
        m.select("Entwürfe")
        assert (m.count, m.recent) == (2, 2) and list(m.headers()["subject"]) == ["message 0", "message 1"]
        m.select("Entwürfe", readonly=False)  # Dovecot claims them too
    with IMAP(dovecot.imap_url("unicode"), password=dovecot.password, folder="Entwürfe") as m:
        assert m.recent == 0
    # Dovecot kept the names on disk in modified UTF-7, exactly as netbook's store does ...
    root = os.path.join(dovecot.root, "mail", "unicode")
    assert {d for d in os.listdir(root) if d.startswith(".")} == {"." + folder_dir(n) for n in ("Entwürfe", "日本語", "a&b")}
    store = MailStore(os.path.join(dovecot.root, "mail"))
    assert store.folders("unicode") == ["INBOX", "Entwürfe", "a&b", "日本語"]
    # ... so a folder netbook's store makes is the same folder for Dovecot
    store.deliver("unicode", b"Subject: from netbook\n\nx\n", folder="Überall")
    dovecot.fix_owner("unicode")
    with IMAP(dovecot.imap_url("unicode"), password=dovecot.password, folder="Überall") as m:
        assert "Überall" in m.folder_names
        assert list(m.headers()["subject"]) == ["from netbook"] and m.recent == 1
