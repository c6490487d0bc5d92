"""Issue 11 regressions in the mail family (each test names its bug)."""
from netbook.mail import POP3

from .conftest import PASSWORDS


def test_bug6_pop3_to_frame_with_a_message_without_date(mail_lab):
    mail_lab.store.deliver("alice", b"From: a@b.c\r\nSubject: dated\r\nDate: Tue, 1 Dec 2026 10:00:00 +0000\r\n\r\nx\r\n")
    mail_lab.store.deliver("alice", b"From: a@b.c\r\nSubject: undated\r\n\r\nno date here\r\n")
    with POP3(mail_lab.pop3.url_for("alice"), password=PASSWORDS["alice"]) as p:
        df = p.to_frame()
    assert list(df["subject"]) == ["dated", "undated"]
    assert str(df["date"].dtype).startswith("datetime64")
    assert df["date"].iloc[0].year == 2026 and df["date"].isna().iloc[1]


def test_bug6_pop3_to_frame_when_no_message_has_a_date(mail_lab):
    mail_lab.store.deliver("alice", b"From: a@b.c\r\nSubject: undated\r\n\r\nx\r\n")
    with POP3(mail_lab.pop3.url_for("alice"), password=PASSWORDS["alice"]) as p:
        df = p.to_frame()
    assert list(df["subject"]) == ["undated"] and df["date"].isna().all()
