"""Issue 11 "quiet, honest servers": library log lines (aiosmtpd's
"unrecognised", pyftpdlib's tracebacks, telnetlib3's protocol warnings) land
in the lab server's own log table; stderr stays quiet unless asked for
(``nb.serve.library_logs(stderr=True)``)."""
import logging
import smtplib
import socket
import time
import warnings

import netbook as nb


def _wait_row(srv, pred, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = [r for r in srv.log.snapshot() if pred(r)]
        if rows:
            return rows
        time.sleep(0.02)
    raise AssertionError(f"no such row in {srv.log.snapshot()[-5:]}")


def test_aiosmtpd_unrecognised_goes_to_the_log_not_stderr(capfd, tmp_path):
    from netbook.mail.store import MailStore

    with nb.serve.smtp(MailStore(tmp_path), name="quiet-smtp") as srv:
        with smtplib.SMTP(srv.host, srv.port, timeout=5) as c:
            c.ehlo()
            assert c.docmd("FROBNICATE", "x")[0] == 500
        rows = _wait_row(srv, lambda r: r[2] == "(mail.log)" and "unrecognised" in r[6])
    assert rows[0][3] == "warning"
    out, err = capfd.readouterr()
    assert "unrecognised" not in err and err == ""


def test_auth_in_the_clear_is_said_on_purpose_not_warned(capfd, tmp_path):
    from netbook.mail.store import MailStore

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any library warning fails the test
        with nb.serve.smtp(MailStore(tmp_path), users={"alice": "pw"}, auth="required", name="quiet-auth") as srv:
            with smtplib.SMTP(srv.host, srv.port, timeout=5) as c:
                c.ehlo()
                assert c.docmd("MAIL", "FROM:<a@b.c>")[0] == 530  # AUTH still required
                c.login("alice", "pw")
            assert any("on purpose" in r[6] for r in srv.log.snapshot())
    assert capfd.readouterr().err == ""


def test_pyftpdlib_traceback_goes_to_the_log_not_stderr(capfd):
    with nb.serve.ftp(name="quiet-ftp") as srv:
        with open(f"{srv.root}/readme.txt", "w") as fh:
            fh.write("x")
        class Broken(srv._handler.abstracted_fs):
            def getsize(self, path):
                raise RuntimeError("disk on fire")

        srv._handler.abstracted_fs = Broken  # a fault inside pyftpdlib's command handling
        with socket.create_connection((srv.host, srv.port), timeout=5) as s:
            f = s.makefile("rb")
            f.readline()
            for line in (b"USER anonymous", b"PASS x", b"TYPE I", b"SIZE readme.txt"):
                s.sendall(line + b"\r\n")
                f.readline()
        rows = _wait_row(srv, lambda r: r[2] == "(pyftpdlib)")
        assert "disk on fire" in rows[0][6]
        # pyftpdlib did not add its own stderr handler (it does when a logger has none)
        assert not [h for h in logging.getLogger("pyftpdlib").handlers if type(h) is logging.StreamHandler]
        assert any(r[2] == "SIZE readme.txt" and "RuntimeError" in r[6] for r in srv.log.snapshot())
    assert capfd.readouterr().err == ""


def test_telnetlib3_warning_goes_to_the_log_not_stderr(capfd):
    with nb.serve.telnet(name="quiet-telnet") as srv:
        with socket.create_connection((srv.host, srv.port), timeout=5) as s:
            s.settimeout(0.5)
            # IAC SB TTYPE ... interrupted by IAC WILL: telnetlib3 warns
            s.sendall(bytes([255, 250, 24, 0, 65, 255, 251, 1]))
            _wait_row(srv, lambda r: r[2].startswith("(telnetlib3"))
    assert capfd.readouterr().err == ""


def test_library_logs_can_be_asked_for_on_stderr(capfd, tmp_path):
    from netbook.mail.store import MailStore

    nb.serve.library_logs(stderr=True)
    try:
        with nb.serve.smtp(MailStore(tmp_path), name="loud-smtp") as srv:
            with smtplib.SMTP(srv.host, srv.port, timeout=5) as c:
                c.docmd("FROBNICATE")
            _wait_row(srv, lambda r: "unrecognised" in r[6])
    finally:
        nb.serve.library_logs(stderr=False)
    assert "unrecognised" in capfd.readouterr().err


def test_the_users_own_library_logging_is_untouched(caplog):
    # records from threads that are no lab's still reach the user's handlers
    with caplog.at_level(logging.WARNING):
        nb.serve.library_logs(stderr=False)
        logging.getLogger("mail.log").warning("from the user's own aiosmtpd")
    assert "from the user's own aiosmtpd" in caplog.text
