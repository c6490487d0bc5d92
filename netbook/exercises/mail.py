"""03-mail exercises: SMTP typed by hand, EHLO extensions, unseen mail over
IMAP, POP3 sizes, the largest message (asked of a seeded mail lab)."""
from __future__ import annotations

import random
import smtplib
from email.message import EmailMessage
from email.utils import formatdate

from ..checks import Exercise, NotYet, Sheet, same_int, same_set, same_seq, same_text

NAMES = ["ada", "brian", "carmen", "dmitri", "elif", "farah", "goran", "hana", "ivo", "jun"]
TOPICS = ["lab report", "router config", "exam dates", "reading list", "coffee", "backup plan",
          "seminar notes", "DNS question", "firewall rules", "project idea"]


def _message(rnd: random.Random, to: str, n: int) -> bytes:
    m = EmailMessage()
    sender = rnd.choice(NAMES)
    m["From"] = f"{sender.title()} <{sender}@netbook.lab>"
    m["To"] = to
    m["Subject"] = f"{rnd.choice(TOPICS)} #{n}"
    m["Date"] = formatdate(1_700_000_000 + n * 3600, usegmt=True)
    m["Message-ID"] = f"<ex{n}.{rnd.getrandbits(32):08x}@netbook.lab>"
    m.set_content("\n".join(f"line {i}: " + "lorem ipsum " * rnd.randint(1, 12) for i in range(rnd.randint(2, 40))))
    return m.as_bytes()


def sheet(seed: int) -> Sheet:
    from ..labs import MailLab
    from ..transcript import CLIENT, SERVER

    rnd = random.Random(seed)
    users = {"alice": f"alice-{rnd.randint(100, 999)}", "bob": f"bob-{rnd.randint(100, 999)}"}
    lab = MailLab(users=users, name="exercises-mail")
    n_alice = rnd.randint(6, 12)
    for n in range(1, n_alice + 1):
        seen = rnd.random() < 0.5
        lab.store.deliver("alice", _message(rnd, "alice@netbook.lab", n), flags=("\\Seen",) if seen else ())
    n_bob = rnd.randint(3, 6)
    for n in range(1, n_bob + 1):
        lab.store.deliver("bob", _message(rnd, "bob@netbook.lab", 100 + n))
    subject = f"by hand {rnd.randint(1000, 9999)}"
    rcpt = rnd.choice(["alice", "bob"])
    k = rnd.randint(1, n_bob)

    def by_hand():
        for t in list(lab.smtp.transcripts):
            lines = list(t.lines())
            if any(d == CLIENT and text.strip().lower() == f"subject: {subject}".lower() for _, d, text, _ in lines):
                delivered = any(subject in (m.get("subject") or "") for m in _subjects(lab, rcpt))
                if not delivered:
                    raise NotYet(f"the session with Subject {subject!r} delivered nothing to {rcpt}")
                return [int(text[:3]) for _, d, text, _ in lines
                        if d == SERVER and len(text) >= 3 and text[:3].isdigit() and text[3:4] in ("", " ")]
        raise NotYet(f"no SMTP session has sent a message with Subject: {subject} yet")

    def extensions():
        host, port = lab.smtp.host, lab.smtp.port
        with smtplib.SMTP(host, port, timeout=10) as s:
            s.ehlo("exercises")
            return sorted(k.upper() for k in s.esmtp_features)

    def unseen():
        imap = lab.imap_for("alice")
        try:
            imap.select("INBOX")
            return sorted(imap.search("UNSEEN"))
        finally:
            imap.close()

    def pop_size():
        import poplib

        p = poplib.POP3(lab.pop3.host, lab.pop3.port, timeout=10)
        try:
            p.user("bob")
            p.pass_(users["bob"])
            return int(p.list(k).split()[2])
        finally:
            p.quit()

    def largest():
        imap = lab.imap_for("alice")
        try:
            imap.select("INBOX")
            df = imap.headers()
            return str(df.sort_values("size", ascending=False).iloc[0]["subject"])
        finally:
            imap.close()

    smtp_port = lab.smtp.port
    ex = [
        Exercise(1, f"SMTP by hand: open a raw socket to 127.0.0.1:{smtp_port} and send a message to "
                    f"{rcpt}@netbook.lab with the header line 'Subject: {subject}' by typing the commands yourself "
                    "(EHLO, MAIL FROM, RCPT TO, DATA, the message, a line with a lone '.', QUIT). Answer the list of "
                    "reply codes the server sent, from its greeting to its reply to QUIT.",
                 by_hand, same=same_seq,
                 hint="socket.create_connection; send each command ending in \\r\\n and read the reply before the next; "
                      "a multi-line reply (250-...) counts once",
                 how="s = socket.create_connection((host, port)); s.recv(); s.sendall(b'EHLO me\\r\\n'); ...",
                 explain="220 greeting, 250 to EHLO/MAIL/RCPT, 354 'go ahead' to DATA, 250 once the message is stored, 221 bye",
                 params={"port": smtp_port, "to": f"{rcpt}@netbook.lab", "subject": subject}),
        Exercise(2, "Which SMTP service extensions does the lab server announce in its EHLO reply? Answer their "
                    "keywords (e.g. ['SIZE', ...]), any order.",
                 extensions, same=same_set,
                 hint="smtplib.SMTP(host, port).ehlo() fills .esmtp_features; the keywords are the first word of each 250- line",
                 how="s = smtplib.SMTP(host, port); s.ehlo(); list(s.esmtp_features)",
                 explain="EHLO (not HELO) asks for extensions: each 250- line names one the client may use",
                 params={"port": smtp_port}),
        Exercise(3, "IMAP: some of alice's INBOX messages are already read (\\Seen). Which UIDs are unseen? "
                    "Answer a list of numbers.",
                 unseen, same=lambda g, a: sorted(int(x) for x in g) == sorted(a),
                 hint="SEARCH UNSEEN, or nb.mail.IMAP(...).search(nb.mail.Q(seen=False)) — or read the flags column",
                 how="imap = nb.mail.IMAP(lab url for alice, password=...); imap.search('UNSEEN')",
                 explain="the \\Seen flag lives on the server: every client sees the same read state",
                 params={"user": "alice", "password": users["alice"], "url": lab.imap.url_for("alice")}),
        Exercise(4, f"POP3: how many octets does the server announce (LIST) for message {k} of bob's mailbox?",
                 pop_size, same=same_int,
                 hint="poplib.POP3(host, port); user/pass_; list(k) answers '+OK k size'",
                 how=f"p.list({k})",
                 explain="POP3 counts the message as sent on the wire: CRLF line ends, before dot-stuffing",
                 params={"user": "bob", "password": users["bob"], "message": k, "url": lab.pop3.url_for("bob")}),
        Exercise(5, "Which message in alice's INBOX is the largest? Answer its subject.",
                 largest, same=same_text,
                 hint="the IMAP headers table has a size column (RFC822.SIZE)",
                 how="imap.headers().sort_values('size').iloc[-1]['subject']",
                 explain="RFC822.SIZE is the size the server stores; a client can sort without downloading bodies",
                 params={"user": "alice", "password": users["alice"]}),
    ]
    return Sheet("mail", seed, ex, lab.servers, smtp_url=lab.smtp.url, pop3_url=lab.pop3.url, imap_url=lab.imap.url)


def _subjects(lab, user: str):
    import email

    folder = lab.store.folder(user)
    folder.refresh()
    for entry in folder.snapshot():
        yield email.message_from_bytes(folder.raw(entry), policy=email.policy.default)
