"""Modified UTF-7 mailbox names (RFC 3501 5.1.3): known vectors, strictness,
hypothesis round trips, and imap-tools' encoder as an independent codec."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netbook.mail.utf7 import MailboxNameError, decode_mailbox, encode_mailbox

# Vectors from RFC 3501 5.1.3 and from the names Dovecot writes on disk
# (checked: `.Entw&APw-rfe`, `.&ZeVnLIqe-`, `.a&-b`, `.x.&APw-`).
VECTORS = [
    ("INBOX", "INBOX"),
    ("Entwürfe", "Entw&APw-rfe"),
    ("日本語", "&ZeVnLIqe-"),
    ("a&b", "a&-b"),
    ("&", "&-"),
    ("x.ü", "x.&APw-"),
    ("~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-"),  # the RFC's own example
    ("😀", "&2D3eAA-"),  # outside the BMP: a UTF-16 surrogate pair
    ("Grüße & Küsse", "Gr&APwA3w-e &- K&APw-sse"),
]

# (wire form, why it is refused)
BAD = [
    ("&AC4ALg-", "'..' hidden in base64"),
    ("&AC8-", "'/' hidden in base64"),
    ("&AGE-", "'a' hidden in base64"),
    ("&AGE-&AGI-", "two adjacent runs"),
    ("&Jjo-&Jjo-", "two adjacent runs"),
    ("&Jjo", "unterminated"),
    ("&ZeVnLIqe", "unterminated"),
    ("&Jjp-", "stray bits"),
    ("&A-", "truncated base64"),
    ("&AG-", "odd number of bytes"),
    ("&2D0-", "lone surrogate"),
    ("&Jj=o-", "'=' is not modified base64"),
    ("&Jj/o-", "'/' is ',' in modified base64"),
    ("Entwürfe", "8-bit character not encoded"),
    ("a\x01b", "control character not encoded"),
    ("a\r\nb", "CR LF not encoded"),
]


@pytest.mark.parametrize("name,wire", VECTORS)
def test_known_vectors(name, wire):
    assert encode_mailbox(name) == wire
    assert decode_mailbox(wire) == name
    assert decode_mailbox(wire.encode("ascii")) == name


@pytest.mark.parametrize("wire,why", BAD)
def test_non_canonical_or_broken_names_are_refused(wire, why):
    with pytest.raises(MailboxNameError, match="not valid modified UTF-7"):
        decode_mailbox(wire)


def test_bytes_with_8_bits_and_lone_surrogates():
    with pytest.raises(MailboxNameError, match="8-bit"):
        decode_mailbox("Entwürfe".encode())
    with pytest.raises(MailboxNameError, match="surrogate"):
        encode_mailbox("a\ud800b")


names = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40)


@settings(max_examples=300, deadline=None)
@given(names)
def test_round_trip(name):
    wire = encode_mailbox(name)
    assert wire.isascii() and all(" " <= c <= "~" for c in wire)
    assert decode_mailbox(wire) == name


@settings(max_examples=300, deadline=None)
@given(names)
def test_same_wire_form_as_imap_tools(name):
    imap_utf7 = pytest.importorskip("imap_tools.imap_utf7")
    assert encode_mailbox(name) == imap_utf7.utf7_encode(name).decode("ascii")
    assert imap_utf7.utf7_decode(encode_mailbox(name).encode()) == name


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from("&-AZaz09+,/=. \x00\x7f\u00fc"), max_size=16))
def test_any_wire_text_is_refused_or_canonical(wire):
    """Strictness: whatever decodes encodes back to exactly the same text,
    so one folder has one wire form (and one directory on disk)."""
    try:
        name = decode_mailbox(wire)
    except MailboxNameError:
        return
    assert encode_mailbox(name) == wire
