"""A full mail flow; then every repr, bundle, transcript, log and table is
searched for the test passwords (and their base64 forms)."""
import base64
import json

import netbook as nb
from netbook.mail import IMAP, POP3

from .conftest import PASSWORDS


def _forms(pw):
    forms = {pw, base64.b64encode(pw.encode()).decode()}
    for user in PASSWORDS:
        forms.add(base64.b64encode(f"\0{user}\0{pw}".encode()).decode())
    return forms


def _texts(obj):
    out = [repr(obj), str(obj)]
    if hasattr(obj, "_repr_mimebundle_"):
        b = obj._repr_mimebundle_()
        out += [v if isinstance(v, str) else json.dumps(v, default=str) for v in b.values()]
    return out


def test_no_password_anywhere(mail_lab):
    lab = mail_lab
    alice, bob = PASSWORDS["alice"], PASSWORDS["bob"]
    outputs = []
    r = nb.mail.send(to="bob@netbook.lab", from_="alice@netbook.lab", subject="hi", body="x",
                     url=lab.smtp.url.replace("smtp://", f"smtp://alice:{alice}@"))
    outputs += _texts(r) + [r.transcript.text(), r.transcript.to_frame().to_string()]
    r2 = nb.mail.send(to="alice@netbook.lab", from_="bob@netbook.lab", subject="re", body="y", url=lab.smtp,
                      user="bob", password=bob)
    outputs += _texts(r2)
    import smtplib

    with smtplib.SMTP(lab.smtp.host, lab.smtp.port) as c:  # AUTH LOGIN: user and password on continuation lines
        c.ehlo()
        c.user, c.password = "alice", alice
        c.auth("LOGIN", c.auth_login)
    p = POP3(lab.pop3.url_for("bob"), password=bob)
    outputs += _texts(p) + [p.transcript.text()]
    p.close()
    p = POP3(lab.pop3.url_for("bob"), password=bob, apop=True)
    outputs += [p.transcript.text()]
    p.close()
    m = IMAP(lab.imap.url.replace("imap://", f"imap://alice:{alice}@") + "/INBOX")
    outputs += _texts(m) + [m.transcript.text(), repr(m.url), m.view().static_html()]
    m.close()
    import imaplib

    c = imaplib.IMAP4(lab.imap.host, lab.imap.port)
    c.authenticate("PLAIN", lambda _: f"\0bob\0{bob}".encode())
    c.logout()
    o = nb.mail.open_url(lab.pop3.url.replace("pop://", f"pop://alice:{alice}@"))
    outputs += _texts(o)
    o.close()
    outputs += _texts(lab) + [lab.to_frame().to_string()]
    for srv in lab.servers:
        outputs += _texts(srv) + [srv.log.to_frame().to_string()]
        for t in srv.transcripts:
            outputs += [t.text(), repr(t), t.to_frame().to_string()]
    assert len(outputs) > 30
    blob = "\n".join(outputs)
    for pw in (alice, bob):
        for form in _forms(pw):
            assert form not in blob, f"a password form leaked: {form[:4]}…"
    # the masking is real: the revealed transcripts do hold them
    revealed = "\n".join(t.text(reveal=True) for s in lab.servers for t in s.transcripts)
    assert alice in revealed or base64.b64encode(f"\0alice\0{alice}".encode()).decode() in revealed
