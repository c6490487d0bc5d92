"""Issue 11 bug 7: a multicall reply that does not hold one result per call
is malformed, said so (the stdlib's MultiCallIterator refuses it too), never
shown as fewer rows.  The peer is the stdlib's own SimpleXMLRPCServer with a
broken ``system.multicall``."""
import threading
from xmlrpc.server import SimpleXMLRPCRequestHandler, SimpleXMLRPCServer

import pytest

import netbook as nb
from netbook.web.xmlrpc import XMLRPCProtocolError


class _Quiet(SimpleXMLRPCRequestHandler):
    def log_message(self, *a):
        pass


@pytest.fixture
def broken():
    """A server whose system.multicall answers with ``reply(calls)``."""
    servers = []

    def start(reply):
        srv = SimpleXMLRPCServer(("127.0.0.1", 0), requestHandler=_Quiet, logRequests=False, allow_none=True)
        srv.register_function(reply, "system.multicall")
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        servers.append(srv)
        return f"http://127.0.0.1:{srv.server_address[1]}/RPC2"

    yield start
    for s in servers:
        s.shutdown()
        s.server_close()


def _batch(url, n):
    b = nb.xmlrpc(url).multicall()
    for i in range(n):
        b.add(i, 1)
    return b


def test_fewer_results_than_calls_is_malformed(broken):
    url = broken(lambda calls: [[1]] * (len(calls) - 1))
    with pytest.raises(XMLRPCProtocolError, match="malformed reply: 2 results for 3 calls"):
        _batch(url, 3)()


def test_more_results_than_calls_is_malformed(broken):
    url = broken(lambda calls: [[1]] * (len(calls) + 2))
    with pytest.raises(XMLRPCProtocolError, match="4 results for 2 calls"):
        _batch(url, 2)()


def test_a_bare_value_instead_of_a_list_is_malformed(broken):
    url = broken(lambda calls: [[1], 2])
    with pytest.raises(XMLRPCProtocolError, match=r"result 2 \(add\(1, 1\)\) is int"):
        _batch(url, 2)()


def test_a_well_formed_reply_still_pairs_every_call(broken):
    url = broken(lambda calls: [[c["params"][0] + c["params"][1]] for c in calls[:-1]]
                 + [{"faultCode": 7, "faultString": "no"}])
    res = _batch(url, 3)()
    df = res.to_frame()
    assert list(df["result"]) == ["1", "2", ""] and df["fault"].iloc[2] == "fault 7: no"
