import io
import smtplib
import ssl
import subprocess
import threading
import time

import pytest

import netbook as nb
from netbook.mail.store import MailStore
from tests.peers import require

MSG = b"From: bob@netbook.lab\r\nTo: alice@netbook.lab\r\nSubject: hello\r\n\r\nHi Alice\r\n"


def test_catcher_stores_one_copy_per_recipient(store):
    with nb.serve.smtp(store) as srv:
        with smtplib.SMTP(srv.host, srv.port) as c:
            refused = c.sendmail("bob@netbook.lab", ["alice@netbook.lab", "carol@example.org"], MSG)
        assert refused == {}
        assert [len(store.folder(u)) for u in ("alice", "carol")] == [1, 1]
        raw = store.folder("alice").raw(store.folder("alice").snapshot()[0])
        assert raw.startswith(b"Return-Path: <bob@netbook.lab>\nDelivered-To: alice@netbook.lab\nReceived: from ")
        assert raw.endswith(b"Hi Alice\n")
        log = srv.log.to_frame()
        assert list(log["request"].str.split().str[0]) == ["EHLO", "MAIL", "RCPT", "RCPT", "DATA", "QUIT"]
        assert list(log["status"]) == ["250", "250", "250", "250", "250", "221"]
        assert "stored alice#1, carol#1" in log["detail"].iloc[4]
        t = srv.transcripts[-1].text()
        assert "→ Hi Alice" in t and "← 250 2.0.0 OK stored 2 copies" in t
    assert not [t for t in threading.enumerate() if t.name.startswith("netbook-smtp")]


def test_unknown_and_hostile_recipients(store):
    with nb.serve.smtp(store, users={"alice": "pw"}) as srv, smtplib.SMTP(srv.host, srv.port) as c:
        c.ehlo()
        c.mail("bob@x")
        assert c.rcpt("zed@netbook.lab")[0] == 550
        assert c.rcpt("../../etc/passwd@netbook.lab")[0] == 553
        assert c.rcpt("alice@netbook.lab")[0] == 250
        assert c.data(MSG)[0] == 250
        assert c.noop()[0] == 250  # the session (and the server) lives on
    assert store.users() == ["alice"]


def test_auth_required_and_wrong_password(store):
    with nb.serve.smtp(store, users={"alice": "s3cret"}, auth="required") as srv:
        with smtplib.SMTP(srv.host, srv.port) as c:
            with pytest.raises(smtplib.SMTPSenderRefused):
                c.sendmail("alice@x", ["alice@netbook.lab"], MSG)
        with smtplib.SMTP(srv.host, srv.port) as c:
            with pytest.raises(smtplib.SMTPAuthenticationError):
                c.login("alice", "wrong")
            c.login("alice", "s3cret")
            assert c.sendmail("alice@x", ["alice@netbook.lab"], MSG) == {}
        text = "\n".join(t.text() for t in srv.transcripts) + srv.log.to_frame().to_string()
        assert "s3cret" not in text and "wrong" not in text and "AUTH PLAIN ••••" in text


def test_auth_login_mechanism_masked(store):
    with nb.serve.smtp(store, users={"alice": "s3cret"}, auth="optional") as srv:
        with smtplib.SMTP(srv.host, srv.port) as c:
            c.ehlo()
            c.user, c.password = "alice", "s3cret"
            assert c.auth("LOGIN", c.auth_login)[0] == 235
        t = srv.transcripts[-1]
        import base64

        assert base64.b64encode(b"s3cret").decode() not in t.text()
        assert base64.b64encode(b"s3cret").decode() in t.text(reveal=True)


def test_size_limit_552(store):
    with nb.serve.smtp(store, max_size=1000) as srv, smtplib.SMTP(srv.host, srv.port) as c:
        with pytest.raises(smtplib.SMTPResponseException) as e:
            c.sendmail("a@b", ["alice@netbook.lab"], MSG + b"x" * 5000)
        assert e.value.smtp_code == 552
    assert store.users() == []


def test_debug_mode_prints_and_does_not_store(store):
    out = io.StringIO()
    with nb.serve.smtp(store, mode="debug", output=out) as srv, smtplib.SMTP(srv.host, srv.port) as c:
        c.sendmail("bob@x", ["alice@netbook.lab"], MSG)
        assert srv.caught and b"Hi Alice" in srv.caught[0]
    assert "---------- MESSAGE FOLLOWS ----------" in out.getvalue() and "X-RcptTo: alice@netbook.lab" in out.getvalue()
    assert store.users() == []


def test_relay_mode_forwards_to_another_server(tmp_path):
    final = MailStore(tmp_path / "final")
    with nb.serve.smtp(final, name="final") as upstream, \
            nb.serve.smtp(MailStore(tmp_path / "proxy"), name="proxy", mode="relay", relay=upstream.url) as proxy, \
            smtplib.SMTP(proxy.host, proxy.port) as c:
        assert c.sendmail("bob@x", ["alice@netbook.lab"], MSG) == {}
    raw = final.folder("alice").raw(final.folder("alice").snapshot()[0])
    assert raw.count(b"Received: ") == 2  # one hop per server


def test_relay_failure_is_a_4xx(tmp_path):
    with nb.serve.smtp(MailStore(tmp_path / "p"), mode="relay", relay="smtp://127.0.0.1:1") as proxy, \
            smtplib.SMTP(proxy.host, proxy.port) as c:
        with pytest.raises(smtplib.SMTPDataError) as e:
            c.sendmail("bob@x", ["alice@netbook.lab"], MSG)
        assert e.value.smtp_code == 451


def test_scripted_faults(store):
    with nb.serve.smtp(store, faults=["RCPT 3 452 4.5.3 Too many recipients"]) as srv:
        with smtplib.SMTP(srv.host, srv.port) as c:
            c.ehlo()
            c.mail("bob@x")
            codes = [c.rcpt(f"u{i}@netbook.lab")[0] for i in range(1, 5)]
        assert codes == [250, 250, 452, 250]
        srv.clear_faults()
        srv.fault("MAIL drop")
        with smtplib.SMTP(srv.host, srv.port) as c:
            with pytest.raises(smtplib.SMTPServerDisconnected):
                c.sendmail("bob@x", ["a@netbook.lab"], MSG)
        srv.clear_faults()
        srv.fault("DATA delay 0.5")
        with smtplib.SMTP(srv.host, srv.port) as c:
            t0 = time.perf_counter()
            c.sendmail("bob@x", ["a@netbook.lab"], MSG)
            assert time.perf_counter() - t0 >= 0.5
        assert srv.log.to_frame()["detail"].str.contains("fault: DATA delay 0.5; stored a#").any()
        assert "faults=[DATA delay 0.5]" in repr(srv)


def test_bad_fault_spec():
    from netbook.servers.smtp import parse_fault

    with pytest.raises(ValueError):
        parse_fault("RCPT sometimes")
    with pytest.raises(ValueError):
        parse_fault("RCPT 452 x\r\n250 smuggled")


def test_bad_commands_do_not_kill_the_server(store):
    with nb.serve.smtp(store) as srv, smtplib.SMTP(srv.host, srv.port) as c:
        assert c.docmd("BOGUS")[0] == 500
        assert c.docmd("MAIL", "nonsense")[0] in (501, 503)
        assert c.docmd("X" * 2000)[0] == 500
        assert c.noop()[0] == 250


def test_starttls_with_generated_certificate(store):
    with nb.serve.smtp(store, starttls=True, users={"alice": "pw"}, auth="optional") as srv:
        ctx = ssl.create_default_context(cafile=srv.cert)
        with smtplib.SMTP(srv.host, srv.port) as c:
            c.starttls(context=ctx)
            c.login("alice", "pw")
            c.sendmail("bob@x", ["alice@netbook.lab"], MSG)
        assert "ESMTPSA" in store.folder("alice").raw(store.folder("alice").snapshot()[0]).decode()
        # the transcript keeps recording after the upgrade
        assert "250 2.0.0 OK stored 1 copy" in srv.transcripts[-1].text()


def test_curl_sends_to_the_catcher(store, tmp_path):
    curl = require("curl")
    f = tmp_path / "m.eml"
    f.write_bytes(MSG)
    with nb.serve.smtp(store) as srv:
        r = subprocess.run([curl, "-sS", "--max-time", "20", f"smtp://127.0.0.1:{srv.port}", "--mail-from", "bob@netbook.lab",
                            "--mail-rcpt", "alice@netbook.lab", "-T", str(f)], capture_output=True, timeout=30)
        assert r.returncode == 0, r.stderr
    assert b"Hi Alice" in store.folder("alice").raw(store.folder("alice").snapshot()[0])


def test_restart_with_same_name_replaces(store):
    a = nb.serve.smtp(store)
    b = nb.serve.smtp(store)
    assert not a.running and b.running
    b.stop()


def test_auth_any_accepts_every_login(store):
    with nb.serve.smtp(store, auth="any") as srv, smtplib.SMTP(srv.host, srv.port) as c:
        c.login("whoever", "whatever")
        assert c.sendmail("whoever@x", ["alice@netbook.lab"], MSG) == {}
        assert "auth ok for whoever" in set(srv.log.to_frame()["detail"])


def test_concurrent_sessions_each_250_finds_its_message_stored(store):
    """Concurrent sessions store on the event loop; a client that got its
    250 must find its own message in the store at once."""
    errors = []

    def client(k):
        try:
            with smtplib.SMTP(srv.host, srv.port, timeout=10) as c:
                for i in range(15):
                    mid = f"<{k}.{i}@netbook.lab>"
                    c.sendmail("bob@netbook.lab", [f"box{k}@netbook.lab"],
                               f"Subject: m {k}.{i}\r\nMessage-ID: {mid}\r\n\r\nbody {k}.{i}\r\n".encode())
                    f = store.folder(f"box{k}")
                    assert any(mid.encode() in f.raw(e) for e in f.snapshot()[-1:]), mid
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    with nb.serve.smtp(store) as srv:
        threads = [threading.Thread(target=client, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert not errors, errors[0]
        assert [len(store.folder(f"box{k}")) for k in range(4)] == [15] * 4
        assert (srv.log.to_frame()["detail"].str.startswith("stored box")).sum() == 60
    assert not [t for t in threading.enumerate() if t.name.startswith("netbook-smtp")]


def test_big_message_is_stored_by_a_worker_thread_before_its_250(store, monkeypatch):
    """Messages above INLINE_DELIVERY_BYTES are written off the event loop;
    the 250 still waits for the write, and other sessions are served meanwhile."""
    from netbook.servers import smtp as smtp_mod

    writers = []
    deliver = store.deliver

    def slow_deliver(user, data, *a, **k):
        writers.append(threading.current_thread().name)
        if len(data) > smtp_mod.INLINE_DELIVERY_BYTES:
            time.sleep(0.5)  # a slow disk: the small message below must not wait for it
        return deliver(user, data, *a, **k)

    monkeypatch.setattr(store, "deliver", slow_deliver)
    big = b"Subject: big\r\n\r\n" + (b"x" * 998 + b"\r\n") * 400  # 400 kB
    with nb.serve.smtp(store) as srv:
        done = {}

        def send_big():
            with smtplib.SMTP(srv.host, srv.port, timeout=10) as c:
                c.sendmail("bob@netbook.lab", ["big@netbook.lab"], big)
                done["big"] = (time.monotonic(), len(store.folder("big")))

        t = threading.Thread(target=send_big)
        t.start()
        time.sleep(0.2)
        with smtplib.SMTP(srv.host, srv.port, timeout=10) as c:
            c.sendmail("bob@netbook.lab", ["small@netbook.lab"], MSG)
            small_done = time.monotonic()
        t.join(10)
        assert done["big"][1] == 1  # stored before the client had its 250
        assert small_done < done["big"][0]  # the small session was not held up
        assert writers[0].startswith("netbook-smtp-io") and not writers[1].startswith("netbook-smtp-io")
        f = store.folder("big")
        assert f.raw(f.snapshot()[0]).endswith(b"x" * 998 + b"\n")


@pytest.mark.parametrize("size", [10, 400_000])
def test_store_failure_is_a_451_and_the_server_lives(store, monkeypatch, size):
    with nb.serve.smtp(store) as srv:
        def broken(*a, **k):
            raise OSError("disk full")

        monkeypatch.setattr(store, "deliver", broken)
        with smtplib.SMTP(srv.host, srv.port) as c, pytest.raises(smtplib.SMTPDataError) as e:
            c.sendmail("bob@netbook.lab", ["alice@netbook.lab"], MSG + (b"y" * 70 + b"\r\n") * (size // 72))
        assert e.value.smtp_code == 451
        monkeypatch.undo()
        with smtplib.SMTP(srv.host, srv.port) as c:
            assert c.sendmail("bob@netbook.lab", ["alice@netbook.lab"], MSG) == {}
        assert len(store.folder("alice")) == 1
