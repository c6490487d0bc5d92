import base64
import http.client
import smtplib
import socket
import threading

import pytest

from netbook.transcript import MASK, Transcript, redact_line, trace_socket


@pytest.mark.parametrize("line,secret", [
    ("Authorization: Basic dXNlcjpodW50ZXIy", "dXNlcjpodW50ZXIy"),
    ("proxy-authorization: Digest username=x, response=abc", "response=abc"),
    ("Cookie: session=s3cr3t; theme=dark", "s3cr3t"),
    ("Set-Cookie: sid=s3cr3t; Path=/; HttpOnly", "s3cr3t"),
    ("PASS hunter2", "hunter2"),
    ("APOP alice 8f3a2b", "8f3a2b"),
    ("AUTH PLAIN AGFsaWNlAGh1bnRlcjI=", "AGFsaWNlAGh1bnRlcjI="),
    ("a001 LOGIN alice hunter2", "hunter2"),
    ('a001 LOGIN "alice" "hunter 2"', "hunter 2"),
    ("a002 AUTHENTICATE PLAIN AGFsaWNlAGh1bnRlcjI=", "AGFsaWNl"),
    ("GET ftp://bob:hunter2@127.0.0.1/x", "hunter2"),
])
def test_redact_line_masks_secrets(line, secret):
    out = redact_line(line)
    assert secret not in out and MASK in out


def test_redaction_keeps_what_is_not_secret():
    assert redact_line("Set-Cookie: sid=x; Path=/; HttpOnly") == f"Set-Cookie: sid={MASK}; Path=/; HttpOnly"
    assert redact_line("Cookie: a=1; b=2") == f"Cookie: a={MASK}; b={MASK}"
    assert redact_line("Authorization: Bearer abc") == f"Authorization: Bearer {MASK}"
    assert redact_line("USER alice") == "USER alice"
    assert redact_line("Content-Type: text/plain") == "Content-Type: text/plain"


def test_sasl_continuations_are_masked():
    t = Transcript()
    t.received(b"220 hi\r\n")
    t.sent(b"AUTH LOGIN\r\n")
    t.received(b"334 VXNlcm5hbWU6\r\n")
    t.sent(base64.b64encode(b"alice") + b"\r\n")
    t.received(b"334 UGFzc3dvcmQ6\r\n")
    t.sent(base64.b64encode(b"hunter2") + b"\r\n")
    t.received(b"235 ok\r\n")
    t.sent(b"MAIL FROM:<a@x>\r\n")
    text = t.text()
    assert base64.b64encode(b"hunter2").decode() not in text
    assert "MAIL FROM:<a@x>" in text
    assert base64.b64encode(b"hunter2").decode() in t.text(reveal=True)


def test_lines_directions_and_frame():
    t = Transcript(title="x")
    t.sent(b"HELLO\r\nSECOND")
    t.sent(b" LINE\r\n")
    t.received(b"OK\r\n")
    df = t.to_frame()
    assert list(df.columns) == ["time", "direction", "text", "bytes"]
    assert list(df.text) == ["HELLO", "SECOND LINE", "OK"]
    assert list(df.direction) == ["C>S", "C>S", "S>C"]
    assert list(df.bytes) == [7, 13, 4]
    assert "→ HELLO" in repr(t) and "← OK" in repr(t)


def test_transcript_is_bounded():
    t = Transcript(max_bytes=100)
    t.received(b"x" * 1000)
    assert t.stored == 100 and t.total["S>C"] == 1000 and t.truncated
    assert "kept the first 100 bytes" in repr(t)


def test_binary_lines_are_summarised():
    t = Transcript()
    t.received(bytes(range(256)))
    assert all("binary data" in r[2] for r in t.lines())


def test_mimebundle_masks_secrets():
    t = Transcript()
    t.sent(b"Authorization: Basic c2VjcmV0\r\n")
    bundle = t._repr_mimebundle_()
    blob = str(bundle)
    assert "c2VjcmV0" not in blob and MASK in bundle["text/html"]


def _echo_server():
    srv = socket.create_server(("127.0.0.1", 0))

    def run():
        conn, _ = srv.accept()
        with conn:
            conn.recv(1024)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nSet-Cookie: sid=topsecret\r\n\r\nok")
        srv.close()

    th = threading.Thread(target=run, daemon=True)
    th.start()
    return srv.getsockname()[1], th


def test_trace_socket_records_a_real_http_client_session():
    port, th = _echo_server()
    t = Transcript()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.connect()
    conn.sock = trace_socket(conn.sock, t)
    conn.request("GET", "/x", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    r = conn.getresponse()
    assert r.read() == b"ok"
    conn.close()
    th.join(5)
    text = t.text()
    assert "→ GET /x HTTP/1.1" in text and "← HTTP/1.1 200 OK" in text
    assert "dXNlcjpwYXNz" not in text and "topsecret" not in text
    assert "topsecret" in t.text(reveal=True)


def test_trace_socket_with_smtplib_against_a_raw_server():
    srv = socket.create_server(("127.0.0.1", 0))
    port = srv.getsockname()[1]

    def run():
        conn, _ = srv.accept()
        f = conn.makefile("rb")
        conn.sendall(b"220 test ESMTP\r\n")
        for line in f:
            cmd = line.strip().upper()
            if cmd.startswith(b"EHLO"):
                conn.sendall(b"250-test\r\n250 AUTH PLAIN LOGIN\r\n")
            elif cmd.startswith(b"AUTH"):
                conn.sendall(b"235 ok\r\n")
            elif cmd.startswith(b"QUIT"):
                conn.sendall(b"221 bye\r\n")
                break
        f.close()
        conn.close()
        srv.close()

    th = threading.Thread(target=run, daemon=True)
    th.start()
    t = Transcript()

    class TracedSMTP(smtplib.SMTP):
        def _get_socket(self, host, port, timeout):
            return trace_socket(super()._get_socket(host, port, timeout), t)

    with TracedSMTP("127.0.0.1", port, timeout=5) as s:
        s.login("alice", "hunter2")
    th.join(5)
    text = t.text()
    assert "AUTH PLAIN" in text and base64.b64encode(b"\0alice\0hunter2").decode() not in text
    assert "hunter2" not in text and "221 bye" in text
