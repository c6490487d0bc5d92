"""TLS: verified by default, one clear error otherwise; verify=False / a CA file."""

import pytest

import netbook as nb
from netbook.http.errors import TLSError
from tests.http.tls_peer import https_hello_server


@pytest.fixture(scope="module")
def https_server(tmp_path_factory):
    with https_hello_server(tmp_path_factory.mktemp("tls")) as s:
        yield s["url"], s["ca"]


def test_untrusted_certificate_is_one_clear_error(https_server):
    url, _ = https_server
    with pytest.raises(TLSError, match="not trusted|certificate|TLS"):
        nb.fetch(url, timeout=5)


def test_verify_false_and_ca_file(https_server):
    url, ca = https_server
    r = nb.fetch(url, verify=False, timeout=5)
    assert r.text == "secure hello" and r.timings["ssl"] >= 0
    r = nb.fetch(url, verify=ca, timeout=5)
    assert r.text == "secure hello"
    assert "GET / HTTP/1.1" in r.transcript.text()  # plaintext recorded after the handshake
    df = nb.fetch_many([url], verify=False)
    assert df["status"][0] == 200
    assert nb.fetch_many([url], verify=ca)["status"][0] == 200
    assert "TLS" in nb.fetch_many([url])["error"][0]
