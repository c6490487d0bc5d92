"""nb.Session keeps connections alive per origin (counted on the server
side), and fetch_many records a transcript per request."""
import socket
import threading

import pytest

import netbook as nb
from tests.http.tls_peer import https_hello_server


def test_session_reuses_one_connection_per_origin(lab):
    other = nb.serve.wsgi(lambda e, s: (s("200 OK", [("Content-Length", "2")]), [b"ok"])[1], name="keepalive-other")
    try:
        with nb.Session() as s:
            for _ in range(10):
                assert s.get(lab.url + "echo").status == 200
                assert s.get(other.url).status == 200
            s.post(lab.url + "echo", data=b"body")  # a POST rides on it too
            assert s.get(lab.url + "redirect?n=3").json()["path"] == "/echo"  # so do redirect hops
        peers = set(lab.log.to_frame()["peer"])
        assert len(lab.log.to_frame()) == 15 and len(peers) == 1  # 15 requests, one TCP connection
        assert len(set(other.log.to_frame()["peer"])) == 1
        assert s.pool.opened == 2 and s.pool.reused == 15 + 10 - 2
        r = s.history[3]  # on a kept-alive connection: no DNS/connect time, its own transcript
        assert r.timings["connect"] == -1 and r.timings["dns"] == -1
        assert r.transcript.text().count("→ GET ") == 1 and "Connection: close" not in r.transcript.text()
    finally:
        other.stop()


def test_free_fetch_still_closes(lab):
    for _ in range(3):
        nb.fetch(lab.url)
    assert len(set(lab.log.to_frame()["peer"])) == 3


def test_session_keepalive_against_nginx(nginx):
    """nginx counts the requests on each connection ($connection_requests)."""
    with nb.Session(nginx.url) as s:
        answers = [s.get("conn").text.split() for _ in range(20)]
    assert len({c for c, _ in answers}) == 1
    assert [int(n) for _, n in answers] == list(range(1, 21))


def test_a_connection_closed_while_idle_is_replaced(lab):
    """The server hangs up between two requests: the next one opens a new connection, no error."""
    accepted = []
    lsock = socket.create_server(("127.0.0.1", 0))
    port = lsock.getsockname()[1]

    def serve():
        for _ in range(2):
            conn, _ = lsock.accept()
            accepted.append(conn)
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            conn.close()  # no Connection: close header; it just hangs up

    th = threading.Thread(target=serve, daemon=True)
    th.start()
    try:
        with nb.Session(timeout=5) as s:
            assert s.get(f"http://127.0.0.1:{port}/").text == "ok"
            th.join(0.5)
            assert s.get(f"http://127.0.0.1:{port}/").text == "ok"
        th.join(5)
        assert len(accepted) == 2
    finally:
        lsock.close()


def test_body_not_read_to_the_end_is_not_reused(lab):
    from netbook.http.errors import BodyTooLarge

    with nb.Session(lab.url) as s:
        with pytest.raises(BodyTooLarge):
            s.get("huge?mb=2", max_bytes=1000)
        assert s.pool.idle() == 0
        assert s.get("").text == "hello"
    assert len(set(lab.log.to_frame()["peer"])) == 2


def test_https_session_keepalive(tmp_path):
    with https_hello_server(tmp_path) as srv, nb.Session(verify=srv["ca"]) as s:
        rs = [s.get(srv["url"]) for _ in range(5)]
        assert all(r.text == "secure hello" for r in rs)
        assert s.pool.opened == 1 and rs[0].timings["ssl"] >= 0 and rs[1].timings["ssl"] == -1
        assert "GET / HTTP/1.1" in rs[4].transcript.text()


def test_fetch_many_transcripts(lab):
    df = nb.fetch_many([lab.url + "redirect?n=1", lab.url + "chunked", "data:,hi"],
                       headers={"Authorization": "Bearer S3CRET"}, show=False)
    t = df["transcript"][0]
    text = t.text()
    assert "→ GET /redirect?n=1 HTTP/1.1" in text and "→ GET /echo HTTP/1.1" in text
    assert "← HTTP/1.1 302" in text and "Authorization: Bearer ••••" in text
    assert "S3CRET" not in text.split("\n← {")[0]  # masked in every request line (the echo body repeats it)
    assert "S3CRET" not in str(t) and "\n" not in str(t)  # one line inside the frame
    assert "chunk 4" in df["transcript"][1].text()
    assert nb.fetch_many([lab.url], transcript_bytes=0, show=False)["transcript"][0] is None
