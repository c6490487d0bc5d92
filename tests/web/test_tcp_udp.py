"""serve.tcp / serve.udp with the classic handlers, functions and classes."""
import socket
import socketserver
from datetime import datetime, timezone

import pytest

import netbook as nb


def test_echo_with_a_raw_socket_and_many_connections():
    with nb.serve.tcp("echo") as srv:
        for i in range(5):
            with socket.create_connection((srv.host, srv.port), timeout=5) as s:
                payload = f"hello {i}\r\n".encode() + bytes(range(256))
                s.sendall(payload)
                got = b""
                while len(got) < len(payload):
                    got += s.recv(65536)
                assert got == payload
        rows = srv.log.to_frame()
        assert list(rows["request"]).count("connect") == 5
        wait_for(lambda: list(srv.log.to_frame()["request"]).count("disconnect") == 5)
        closed = srv.log.to_frame().query("request == 'disconnect'")
        assert (closed["bytes"] == 9 + 256).all()
        assert srv.transcripts[-1].total["C>S"] == 265


def wait_for(cond, timeout=5.0):
    import time

    t0 = time.time()
    while time.time() - t0 < timeout:
        if cond():
            return True
        time.sleep(0.02)
    raise AssertionError("condition not met in time")


def test_daytime_tcp_and_udp():
    with nb.serve.tcp("daytime", name="dt") as srv, nb.serve.udp("daytime", name="du") as usrv:
        with socket.create_connection((srv.host, srv.port), timeout=5) as s:
            data = b""
            while chunk := s.recv(100):
                data += chunk
        when = datetime.fromisoformat(data.decode().strip())
        assert abs((datetime.now(timezone.utc) - when).total_seconds()) < 5
        reply = usrv.send(b"anything")
        assert abs((datetime.now(timezone.utc) - datetime.fromisoformat(reply.decode().strip())).total_seconds()) < 5


def test_chat_between_users():
    with nb.serve.tcp("chat") as srv:
        with srv.connect() as ada:
            assert ada.readline().startswith("* welcome user1")
            bob = srv.connect()
            assert bob.readline().startswith("* welcome user2")
            assert ada.readline() == "* user2 joined"
            ada.send("/nick ada")
            assert ada.readline() == "* user1 is now ada" and bob.readline() == "* user1 is now ada"
            ada.send("hello bob")
            assert bob.readline() == "[ada] hello bob"
            assert ada.readline(0.2) is None  # you do not hear yourself
            assert bob.ask("/who") == "* here: ada, user2"
            bob.send("/nick two words")
            assert bob.readline() == "* a nick is one word"
            assert bob.ask("/quit") == "* bye"
            assert ada.readline() == "* user2 left"
            bob.close()
        says = srv.log.to_frame().query("request == 'say'")
        assert list(says["detail"]) == ["hello bob"] and list(says["status"]) == ["ada"]


def test_function_and_class_handlers():
    class Shout(socketserver.StreamRequestHandler):
        def handle(self):
            for line in self.rfile:
                self.wfile.write(line.upper())

    with nb.serve.tcp(lambda line: line[::-1], name="rev") as a, nb.serve.tcp(Shout, name="shout") as b:
        with a.connect() as c:
            assert c.ask("abc") == "cba"
        with b.connect() as c:
            assert c.ask("quiet") == "QUIET"
    with nb.serve.udp(lambda text: text.upper()) as u:
        assert u.send("ping") == b"PING"
        row = u.log.snapshot()[-1]
        assert row[2] == "datagram 4 B" and row[3] == "replied" and row[4] == 4 and row[6] == "ping"


def test_udp_echo_with_a_stdlib_socket():
    with nb.serve.udp("echo") as srv:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(5)
            for i in range(10):
                s.sendto(b"x" * i, (srv.host, srv.port))
                assert s.recvfrom(100)[0] == b"x" * i
        wait_for(lambda: srv.log.length == 10)


def test_handlers_that_crash_or_flood_do_not_kill_the_server():
    def bad(line):
        raise RuntimeError("handler bug")

    with nb.serve.tcp(bad) as srv:
        with srv.connect() as c:
            c.send("x")
            assert c.readline(1) is None
        wait_for(lambda: any(r[3] == "error" for r in srv.log.snapshot()))
        assert "RuntimeError: handler bug" in [r for r in srv.log.snapshot() if r[3] == "error"][0][6]
        with srv.connect() as c:  # still accepting
            pass
    with nb.serve.tcp(lambda line: "ok") as srv:
        with srv.connect(timeout=5) as c:
            c.sock.sendall(b"a" * (70 * 1024))  # an endless line
            assert c.readline(3).startswith("error: line over")
    with nb.serve.udp(lambda t: 1 / 0) as u:
        assert u.send("x", timeout=0.5) is None
        assert u.send is not None and u.running


def test_telnetlib_as_a_client():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import telnetlib

    with nb.serve.tcp("echo") as srv:
        t = telnetlib.Telnet(srv.host, srv.port, timeout=5)
        t.write(b"over telnet\r\n")
        assert t.read_until(b"\n", timeout=5) == b"over telnet\r\n"
        t.close()


def test_unknown_handler():
    with pytest.raises(ValueError, match="ready ones: echo, daytime, chat"):
        nb.serve.tcp("nope")
    with pytest.raises(TypeError):
        nb.serve.udp(42)
