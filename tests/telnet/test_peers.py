"""Real peers: curl and telnetlib against the lab server; netbook's client
against BusyBox telnetd (a real telnet server with a pty)."""
import socket
import stat
import subprocess
import time
import warnings

import pytest

import netbook as nb
from netbook.telnet import LoginError
from netbook.transcript import MASK
from tests.peers import require

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import telnetlib

PW = "Bb-pw-42"


def wait_for(cond, timeout=3.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.02)
    return False


def log_rows(srv):
    return list(srv.log.to_frame().itertuples(index=False))


def test_curl_talks_to_the_lab_server():
    curl = require("curl")
    srv = nb.serve.telnet("echo")
    r = subprocess.run([curl, "-sS", "--max-time", "5", "-t", "TTYPE=vt100", srv.url],
                       input=b"hello from curl\nquit\n", capture_output=True, timeout=20)
    out = r.stdout.decode("utf-8", "replace")
    assert "netbook telnet echo lab" in out and "hello from curl" in out and "bye" in out
    assert wait_for(lambda: "disconnect" in [x.request for x in log_rows(srv)])
    req = [x.request for x in log_rows(srv)]
    # what curl negotiated: it agrees to SGA, offers NAWS (sends a size) and TTYPE (the -t value)
    assert {"client DO SGA", "client WILL NAWS", "client SB NAWS", "client WILL TTYPE", "client SB TTYPE"} <= set(req)
    ready = [x.detail for x in log_rows(srv) if x.request == "session"][0]
    assert "term=vt100" in ready
    assert req.index("hello from curl") > req.index("session")
    t = srv.transcripts[-1].text()
    assert "<IAC SB TTYPE IS 'vt100' IAC SE>" in t and "→ hello from curl" in t


def test_curl_login_to_the_menu():
    curl = require("curl")
    srv = nb.serve.telnet("menu", users={"alice": PW})
    # curl sends stdin as soon as it can: lines wait in the server's buffer for each prompt
    r = subprocess.run([curl, "-sS", "--max-time", "5", srv.url], input=f"alice\n{PW}\nwhoami\nquit\n".encode(),
                       capture_output=True, timeout=20)
    out = r.stdout.decode("utf-8", "replace")
    assert "login: " in out and "Password: " in out and "Welcome alice" in out and "bye" in out
    assert PW not in out  # the server echoes (WILL ECHO) but not the password
    assert wait_for(lambda: "disconnect" in [x.request for x in log_rows(srv)])
    assert ("login alice", "ok") in [(x.request, x.status) for x in log_rows(srv)]
    t = srv.transcripts[-1]
    assert PW not in t.text() and PW not in srv.log.to_frame().to_string()
    assert f"→ {MASK}" in t.text()


def test_stdlib_telnetlib_refuses_every_option():
    srv = nb.serve.telnet("menu")
    tn = telnetlib.Telnet(srv.host, srv.port, timeout=5)
    assert b"Welcome" in tn.read_until(b"$ ", 5)
    tn.write(b"whoami\r\n")
    assert b"guest" in tn.read_until(b"$ ", 5)
    tn.write(b"options\r\n")
    assert b"term unknown, window ?x?" in tn.read_until(b"$ ", 5)
    tn.write(b"quit\r\n")
    assert b"bye" in tn.read_all()
    tn.close()
    req = [x.request for x in log_rows(srv)]
    # telnetlib without a callback answers DONT to every WILL and WONT to every DO
    assert {"server WILL ECHO", "client DONT ECHO", "server DO NAWS", "client WONT NAWS", "client WONT TTYPE"} <= set(req)


LOGIN_SH = """#!/bin/sh
printf 'netbook busybox lab\\nlogin: '
read user
stty -echo
printf 'Password: '
read pw
stty echo
echo
if [ "$user" != alice ] || [ "$pw" != '%s' ]; then echo 'Login incorrect'; exit 1; fi
echo "Welcome $user"
while printf '$ '; read line; do
  case "$line" in
    quit) echo bye; exit 0;;
    whoami) echo "$user";;
    *) echo "you said: $line";;
  esac
done
""" % PW


@pytest.fixture
def busybox_telnetd(tmp_path):
    bb = require("busybox")
    if b"applet not found" in subprocess.run([bb, "telnetd", "--help"], capture_output=True, check=False).stderr:
        require("busybox-with-telnetd (Debian busybox-static)")  # plain Debian busybox has no telnetd
    script = tmp_path / "login.sh"
    script.write_text(LOGIN_SH)
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    p = subprocess.Popen([bb, "telnetd", "-F", "-p", str(port), "-b", "127.0.0.1", "-l", str(script)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        assert wait_for(lambda: _listening(port), 5), p.stderr.read1(1000) if p.poll() is not None else "no listener"
        yield f"telnet://alice@127.0.0.1:{port}"
    finally:
        p.terminate()
        p.wait(5)


def _listening(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        return True
    except OSError:
        return False


def test_client_against_busybox_telnetd(busybox_telnetd):
    c = nb.telnet(busybox_telnetd, password=PW)
    assert "alice" in c.ask("whoami", until="$ ")
    assert "you said: hi there" in c.ask("hi there", until="$ ")
    df = c.options.to_frame()
    pairs = set(zip(df.direction, df.command, df.option))
    # BusyBox asks DO ECHO / DO NAWS and offers WILL ECHO / WILL SGA; the client answers as a terminal would
    assert {("server", "WILL", "ECHO"), ("client", "DO", "ECHO"), ("server", "WILL", "SGA"), ("client", "DO", "SGA"),
            ("server", "DO", "NAWS"), ("client", "WILL", "NAWS"), ("server", "DO", "ECHO"), ("client", "WONT", "ECHO")} <= pairs
    assert ("client", "SB", "NAWS") in {(d, cmd, o) for d, cmd, o in pairs}
    c.send("quit")
    assert "bye" in c.read(0.5)
    c.close()
    text = c.transcript.text()
    assert "<IAC DO NAWS>" in text and "<IAC WILL ECHO>" in text
    assert PW not in text and PW not in c.to_frame().to_string() and f"→ {MASK}" in text


def test_wrong_password_against_busybox(busybox_telnetd):
    with pytest.raises(LoginError, match="login refused for 'alice'"):
        nb.telnet(busybox_telnetd, password="wrong-one")
