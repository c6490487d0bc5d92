"""%telnet and %%telnet."""
import pytest
from IPython.core.error import UsageError

import netbook as nb
from netbook.errors import InjectionError
from netbook.telnet import TelnetClient
from netbook.transcript import MASK

PW = "magic-Pw-9"


def test_line_magic_connects_and_reads_the_banner(ipython):
    srv = nb.serve.telnet("echo")
    ipython.user_ns["tn_url"] = srv.url
    c = ipython.run_line_magic("telnet", "{tn_url} -o tn")
    try:
        assert isinstance(c, TelnetClient) and ipython.user_ns["tn"] is c
        assert "netbook telnet echo lab" in c.transcript.text()
        assert ("server", "DO", "NAWS") in {(d, cmd, o) for _, d, cmd, o, _ in c.options}
    finally:
        c.close()


def test_cell_magic_lines_and_script_with_login(ipython):
    srv = nb.serve.telnet("menu", users={"alice": PW})
    ipython.user_ns.update(tn_url=srv.url_for("alice"), tn_pw=PW)
    c = ipython.run_cell_magic("telnet", "{tn_url} --password {tn_pw} -o tn2", "whoami\nhelp\n")
    text = c.transcript.text()
    assert "← alice" in text and "commands: help" in text
    assert PW not in text and f"→ {MASK}" in text
    srv2 = nb.serve.telnet("menu", users={"bob": PW}, name="t2")
    ipython.user_ns.update(tn_url2=srv2.url)
    c2 = ipython.run_cell_magic("telnet", "{tn_url2}",
                                "expect: login: $\nsend: bob\nexpect: Password: $\nsend: {tn_pw}\nexpect: \\$ $\nwhoami\nquit\n")
    assert "← bob" in c2.transcript.text() and "bye" in c2.transcript.text()
    assert PW not in c2.transcript.text() + c2.to_frame().to_string()


def test_cell_magic_refuses_crlf_from_a_variable(ipython):
    srv = nb.serve.telnet("echo")
    ipython.user_ns.update(tn_url=srv.url, evil="ok\r\nquit")
    with pytest.raises(InjectionError):
        ipython.run_cell_magic("telnet", "{tn_url}", "say {evil}\n")


def test_bad_usage_is_a_syntax_error(ipython):
    with pytest.raises(UsageError):
        ipython.run_line_magic("telnet", "")
    with pytest.raises(ValueError, match="not a telnet URL"):
        ipython.run_line_magic("telnet", "http://127.0.0.1:1/")


def test_serve_magic_starts_a_telnet_lab(ipython):
    srv = ipython.run_line_magic("serve", "telnet chat --name tchat -o tsrv")
    assert ipython.user_ns["tsrv"] is srv and srv.app == "chat" and srv.url.startswith("telnet://127.0.0.1:")
    with nb.telnet(srv.url) as c:
        assert "welcome" in c.read_until("welcome")
