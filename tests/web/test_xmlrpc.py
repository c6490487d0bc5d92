"""serve.xmlrpc and nb.xmlrpc: against each other, against the stdlib on
the other side, against curl; entity expansion refused on both sides."""
import datetime
import socket
import threading
import xmlrpc.client
import xmlrpc.server

import pytest

import netbook as nb
from netbook.errors import NetworkError
from netbook.web.xmlrpc import XMLRPCFault, XMLRPCProtocolError

from .conftest import raw_request

BOMB = (
    '<?xml version="1.0"?>\n<!DOCTYPE m [\n<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">\n'
    '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">\n<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">\n]>\n'
)
BOMB_CALL = BOMB + "<methodCall><methodName>echo</methodName><params><param><value><string>&c;</string></value></param></params></methodCall>"
BOMB_RESPONSE = BOMB + "<methodResponse><params><param><value><string>&c;</string></value></param></params></methodResponse>"
XXE_CALL = ('<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            "<methodCall><methodName>echo</methodName><params><param><value><string>&x;</string></value></param></params></methodCall>")


class Library:
    """A small library service."""

    def books(self):
        """All books, as records."""
        return [{"title": "Dune", "year": 1965}, {"title": "Emma", "year": 1815}]

    def checkout(self, title, when):
        """Check a book out; returns the due date."""
        return {"title": title, "due": when + datetime.timedelta(days=14)}

    def echo(self, value):
        return value

    def div(self, a, b):
        return a / b


def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


@pytest.fixture
def service():
    with nb.serve.xmlrpc(add, Library(), title="library") as srv:
        yield srv


def test_client_against_lab_server(service):
    p = nb.xmlrpc(service.url)
    assert p.add(2, 3) == 5
    books = p.books()
    assert isinstance(books, nb.web.xmlrpc.Records) and books.to_frame().shape == (2, 2)
    due = p.checkout("Dune", datetime.datetime(2024, 1, 1, 12, 0, 0))
    assert due == {"title": "Dune", "due": datetime.datetime(2024, 1, 15, 12, 0, 0)}
    assert p.echo(b"\x00bin") == b"\x00bin"
    with pytest.raises(XMLRPCFault, match="div: fault 1: .*division by zero") as e:
        p.div(1, 0)
    assert e.value.faultCode == 1
    with pytest.raises(XMLRPCFault, match="not supported"):
        p.nope()
    methods = p.methods()
    row = methods.set_index("name").loc["add"]
    assert row["help"] == "add(a: int, b: int) -> int: Add two numbers."
    assert row["signature"] == "int (int, int)"  # system.methodSignature from the annotations
    assert methods.set_index("name").loc["books", "signature"] == ""  # not annotated: not claimed
    assert {"system.listMethods", "system.multicall", "books", "checkout"} <= set(methods["name"])
    assert "add(a: int, b: int)" in repr(p)
    # the transcript shows the XML on the wire, both ways
    text = p.transcript.text()
    assert "<methodName>add</methodName>" in text and "<methodResponse>" in text
    calls = p.calls()
    assert list(calls["method"][:2]) == ["add", "books"] and calls["outcome"].iloc[4].startswith("div: fault")
    # the server's log names each method and fault
    details = [r[6] for r in service.log.snapshot()]
    assert "add" in details and any(d.startswith("div: fault 1: ZeroDivisionError") for d in details)


def test_multicall(service):
    p = nb.xmlrpc(service.url)
    b = p.multicall()
    b.add(1, 2)
    b.div(1, 0)
    b.echo("x")
    res = b()
    assert res[0] == 3 and isinstance(res[1], XMLRPCFault) and res[2] == "x"
    df = res.to_frame()
    assert list(df["call"]) == ["add(1, 2)", "div(1, 0)", "echo('x')"]
    assert df["fault"].iloc[1].startswith("fault 1:")
    assert sum(1 for r in service.log.snapshot() if r[6] == "system.multicall") == 1


def test_stdlib_serverproxy_against_lab_server(service):
    with xmlrpc.client.ServerProxy(service.url, use_builtin_types=True) as proxy:
        assert proxy.add(40, 2) == 42
        assert proxy.system.methodHelp("books") == "books(): All books, as records."
        m = xmlrpc.client.MultiCall(proxy)
        m.add(1, 1)
        m.books()
        assert list(m())[0] == 2


def test_client_against_stdlib_server():
    srv = xmlrpc.server.SimpleXMLRPCServer(("127.0.0.1", 0), logRequests=False, allow_none=True)
    srv.register_function(lambda a, b: a * b, "mul")
    srv.register_function(lambda: xmlrpc.client.DateTime(datetime.datetime(2020, 5, 6, 7, 8, 9)), "when")
    srv.register_function(lambda: xmlrpc.client.Binary(b"\x01\x02"), "blob")
    srv.register_introspection_functions()
    t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05})
    t.start()
    try:
        p = nb.xmlrpc(f"http://127.0.0.1:{srv.server_address[1]}/")
        assert p.mul(6, 7) == 42
        assert p.when() == datetime.datetime(2020, 5, 6, 7, 8, 9)
        assert p.blob() == b"\x01\x02"
        assert set(p.methods()["name"]) >= {"mul", "when", "system.listMethods"}
    finally:
        srv.shutdown()
        srv.server_close()
        t.join(5)


def test_curl_post_and_doc_page(service, curl):
    call = xmlrpc.client.dumps((2, 5), "add")
    r = curl("-H", "Content-Type: text/xml", "--data-binary", call, service.url)
    assert xmlrpc.client.loads(r.stdout)[0] == (7,)
    page = curl(service.doc_url).stdout.decode()
    assert "<title>Python: library</title>" in page and "Add&nbsp;two&nbsp;numbers." in page and "checkout" in page


def test_server_refuses_entity_expansion_and_bad_xml(service, curl):
    for body in (BOMB_CALL, XXE_CALL, "<methodCall><unclosed>", "not xml at all", ""):
        r = curl("-H", "Content-Type: text/xml", "--data-binary", body, service.url)
        with pytest.raises(xmlrpc.client.Fault) as e:
            xmlrpc.client.loads(r.stdout)
        assert "aaaaaaaaaa" not in e.value.faultString and "root:" not in e.value.faultString
    faults = [r[6] for r in service.log.snapshot()]
    assert "?: fault 1: XML refused (EntitiesForbidden)" in faults[0]
    assert nb.xmlrpc(service.url).add(1, 1) == 2  # still serving


def test_server_survives_malformed_http(service):
    for data in (b"POST /RPC2 HTTP/1.1\r\nContent-Length: nope\r\n\r\n",
                 b"POST /RPC2 HTTP/1.1\r\nContent-Length: 999999999\r\n\r\n",
                 b"NONSENSE\r\n\r\n"):
        resp = raw_request(service.port, data)
        assert resp.startswith(b"HTTP/1.")
        assert int(resp.split()[1]) >= 400
    assert nb.xmlrpc(service.url).add(2, 2) == 4


def _one_shot_server(response_body: bytes):
    """A raw HTTP server that answers one request with response_body."""
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(1)

    def run():
        conn, _ = ls.accept()
        with conn:
            conn.settimeout(5)
            data = b""
            while b"</methodCall>" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                data += chunk
            conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/xml\r\nContent-Length: %d\r\n\r\n" % len(response_body)
                         + response_body)
        ls.close()

    t = threading.Thread(target=run)
    t.start()
    return ls.getsockname()[1], t


def test_client_refuses_entity_expansion():
    port, t = _one_shot_server(BOMB_RESPONSE.encode())
    p = nb.xmlrpc(f"http://127.0.0.1:{port}/")
    with pytest.raises(XMLRPCProtocolError, match="XML refused .EntitiesForbidden"):
        p.anything()
    t.join(5)
    port, t = _one_shot_server(b"<methodResponse><params>")
    with pytest.raises(XMLRPCProtocolError):
        nb.xmlrpc(f"http://127.0.0.1:{port}/").anything()
    t.join(5)


def test_protocol_and_network_errors(service):
    with pytest.raises(XMLRPCProtocolError, match="HTTP 404"):
        nb.xmlrpc(service.url.replace("/RPC2", "/elsewhere")).add(1, 2)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(NetworkError, match="ConnectionRefusedError"):
        nb.xmlrpc(f"http://127.0.0.1:{port}/").add(1, 2)
    r = repr(nb.xmlrpc(f"http://127.0.0.1:{port}/"))
    assert "introspection unavailable" in r


# -- HTTP/1.1 keep-alive ------------------------------------------------------------
def test_serverproxy_reuses_one_connection(service):
    with xmlrpc.client.ServerProxy(service.url, use_builtin_types=True) as proxy:
        assert [proxy.add(i, 1) for i in range(5)] == [1, 2, 3, 4, 5]
        conn = proxy("transport")._connection[1]
        assert conn.sock is not None  # still open after five calls: the server kept it alive
    rows = service.log.snapshot()
    assert [r[2] for r in rows] == ["POST /RPC2 HTTP/1.1"] * 5 and [r[3] for r in rows] == ["200"] * 5
    assert len({r[1] for r in rows}) == 1  # one peer address: one connection for every call
    assert len(service.transcripts) == 1
    import time

    deadline = time.time() + 2  # the server records its last reply just after sending it
    while service.transcripts[0].text().count("HTTP/1.1 200 OK") < 5 and time.time() < deadline:
        time.sleep(0.01)
    text = service.transcripts[0].text()
    assert text.count("HTTP/1.1 200 OK") == 5 and "Connection: close" not in text


def test_nb_xmlrpc_reuses_its_connection(service):
    p = nb.xmlrpc(service.url)
    assert p.add(1, 1) == 2 and p.add(2, 2) == 4 and p.books()[0]["title"] == "Dune"
    assert len(service.transcripts) == 1 and len(service.log.snapshot()) == 3


def test_curl_reuses_the_connection(service, curl):
    a, b = xmlrpc.client.dumps((1, 2), "add"), xmlrpc.client.dumps((3, 4), "add")
    r = curl("-v", "-H", "Content-Type: text/xml", "--data-binary", a, service.url,
             "--next", "-H", "Content-Type: text/xml", "--data-binary", b, service.url)
    assert r.stdout.count(b"<int>3</int>") == 1 and r.stdout.count(b"<int>7</int>") == 1
    assert b"Re-using existing connection" in r.stderr or b"Reusing existing connection" in r.stderr
    assert len(service.transcripts) == 1 and len(service.log.snapshot()) == 2


def test_stop_with_open_keepalive_connections(service):
    import time

    proxies = [xmlrpc.client.ServerProxy(service.url) for _ in range(3)]
    for p in proxies:
        assert p.add(1, 1) == 2  # each holds an idle keep-alive connection now
    t0 = time.perf_counter()
    service.stop()
    assert time.perf_counter() - t0 < 2  # not the 30 s idle timeout
    assert not any(t.name.startswith("netbook-") for t in threading.enumerate())
    with pytest.raises((OSError, xmlrpc.client.ProtocolError, ConnectionError)):
        proxies[0].add(1, 1)
    for p in proxies:
        p("close")()


def _exchange(port: int, data: bytes) -> bytes:
    """Send pipelined requests on one connection; read until the server closes it."""
    return raw_request(port, data)


def test_unread_bodies_never_become_the_next_request(service):
    call = xmlrpc.client.dumps((5, 6), "add").encode()
    def post(path, body, extra=b""):
        return (b"POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\n" % path
                + extra + b"Content-Length: %d\r\n\r\n" % len(body) + body)
    # a POST to a wrong path: its body is read, the connection goes on
    out = _exchange(service.port, post(b"/elsewhere", call) + post(b"/RPC2", call, b"Connection: close\r\n"))
    assert out.startswith(b"HTTP/1.1 404") and out.count(b"HTTP/1.1 ") == 2 and b"<int>11</int>" in out
    # chunked bodies are refused with 411 and the connection closes (the body is not parsed as a request)
    chunked = (b"POST /RPC2 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
               + b"%x\r\n" % len(call) + call + b"\r\n0\r\n\r\n")
    out = _exchange(service.port, chunked + post(b"/RPC2", call))
    assert out.startswith(b"HTTP/1.1 411") and b"Connection: close" in out and out.count(b"HTTP/1.1 ") == 1
    # no Content-Length: 411, closed
    out = _exchange(service.port, b"POST /RPC2 HTTP/1.1\r\nHost: x\r\n\r\n" + call)
    assert out.startswith(b"HTTP/1.1 411") and out.count(b"HTTP/1.1 ") == 1
    statuses = [r[3] for r in service.log.snapshot()]
    assert statuses == ["404", "200", "411", "411"]
    assert nb.xmlrpc(service.url).add(2, 2) == 4
