"""Fixtures for the mail tests: a mail lab, and Dovecot as a real peer."""
from __future__ import annotations

import pytest

from tests.peers import require

# Test passwords: a test searches every output of a full flow for them.
PASSWORDS = {"alice": "Al1ce-s3cret-pw", "bob": "B0b-s3cret-pw"}


@pytest.fixture
def store(tmp_path):
    from netbook.mail.store import MailStore

    return MailStore(tmp_path / "mail")


@pytest.fixture
def mail_lab(tmp_path):
    import netbook as nb

    lab = nb.lab("mail", users=PASSWORDS, path=tmp_path / "lab")
    yield lab
    lab.stop()


from .dovecot import start_dovecot  # noqa: E402


@pytest.fixture(scope="session")
def dovecot():
    exe = require("dovecot", "/usr/sbin/dovecot")
    with start_dovecot(exe) as d:
        yield d
