import os
import tempfile

import pytest

from netbook.mail.store import MailStore, StoreError, check_folder, check_user


def test_deliver_and_reopen_keeps_flags(tmp_path):
    st = MailStore(tmp_path / "m")
    e = st.deliver("Alice", b"From: bob@x\nSubject: one\n\nbody\n")
    st.deliver("alice", b"From: bob@x\nSubject: two\n\nbody\n")
    f = st.folder("alice")
    assert [x.uid for x in f.snapshot()] == [1, 2]
    assert f.size(e) == len(b"From: bob@x\r\nSubject: one\r\n\r\nbody\r\n")
    f.set_flags(e, {"\\Seen", "\\Flagged", "custom"})
    # a second store over the same folder sees the Maildir flags on disk, and
    # the keyword from the folder's uidlist (Maildir's info holds system flags only)
    again = MailStore(tmp_path / "m").folder("alice")
    flags = {x.uid: x.flags for x in again.snapshot()}
    assert flags[1] == {"\\Seen", "\\Flagged", "custom"} and flags[2] == set()
    df = st.to_frame()
    assert list(df["subject"]) == ["one", "two"] and set(df["user"]) == {"alice"}
    assert len(st.deliveries.to_frame()) == 2


@pytest.mark.parametrize("name", ["../etc", "a/b", "", ".hidden", "x" * 100, "a\r\nb", "a..b"])
def test_user_names_that_could_escape_are_refused(name):
    with pytest.raises(StoreError):
        check_user(name)


@pytest.mark.parametrize("name", ["../x", "a/b", "", "a..b", ".x", "x.", "a\x00b", "a\r\nb", "tab\there", "a\u2028b",
                                  "bidi\u202e", "a\\b", "a*", "50%", 'say "hi"', "\ud800", "é" * 65])
def test_folder_names_refused(name):
    with pytest.raises(StoreError):
        check_folder(name)


def test_folders_create_rename_delete(store):
    store.folder("bob", "Work", create=True)
    store.folder("bob", "Work.2026", create=True)
    assert store.folders("bob") == ["INBOX", "Work", "Work.2026"]
    store.rename_folder("bob", "Work.2026", "Old")
    assert "Old" in store.folders("bob")
    store.delete_folder("bob", "Old")
    assert store.folders("bob") == ["INBOX", "Work"]
    with pytest.raises(StoreError):
        store.delete_folder("bob", "INBOX")
    with pytest.raises(StoreError):
        store.folder("bob", "Missing")


def test_external_files_are_picked_up(store):
    f = store.folder("carol", create=True)
    store.maildir("carol").add(b"Subject: dropped in\n\nx\n")
    assert f.refresh() is True
    assert [e.uid for e in f.snapshot()] == [1]


def test_oversized_message_refused(tmp_path):
    st = MailStore(tmp_path / "m", max_message=100)
    with pytest.raises(StoreError, match="exceeds"):
        st.deliver("a", b"x" * 200)
    assert not os.listdir(tmp_path / "m") or st.folder("a").snapshot() == []


def test_temporary_store_lives_in_ram_when_there_is_room(monkeypatch, tmp_path):
    from netbook.mail.store import temporary_root

    monkeypatch.delenv("TMPDIR", raising=False)
    root = temporary_root()
    with open("/proc/self/mounts") as f:
        shm_is_tmpfs = any(line.split()[1:3] == ["/dev/shm", "tmpfs"] for line in f)
    if root is not None:
        assert root == "/dev/shm" and shm_is_tmpfs
    s = MailStore()
    try:
        assert s.root.startswith((root or tempfile.gettempdir()) + os.sep)
        s.deliver("alice", b"Subject: hi\n\nin RAM\n")
        assert len(s.folder("alice")) == 1
    finally:
        s.cleanup()
    assert not os.path.exists(s.root)
    # $TMPDIR chooses the place
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    tempfile.tempdir = None  # tempfile caches its choice
    try:
        assert temporary_root() is None
        s = MailStore()
        assert s.root.startswith(str(tmp_path) + os.sep)
        s.cleanup()
    finally:
        tempfile.tempdir = None


@pytest.mark.parametrize("name", ["Entwürfe", "日本語", "a&b", "Grüße & Küsse", "Work.Ünter", "emoji 😀", "~x", "ä" * 64,
                                  "ınbox"])  # dotless i: not INBOX, whose name is case-insensitive in ASCII only
def test_unicode_folder_names_accepted(store, name):
    assert check_folder(name) == name
    f = store.folder("dora", name, create=True)
    assert f.name == name and name in store.folders("dora")


def test_folder_dirs_are_modified_utf7_and_odd_dirs_are_ignored(store):
    from netbook.mail.store import folder_dir

    store.folder("dora", "Entwürfe", create=True)
    root = store.maildir("dora")._path
    assert folder_dir("Entwürfe") == "Entw&APw-rfe" and os.path.isdir(os.path.join(root, ".Entw&APw-rfe"))
    # directories that are not canonical modified UTF-7 or not valid folders are not folders
    for odd in (".&AC4ALg-", ".a&b", ".&AAA-", ".Entwürfe"):
        os.makedirs(os.path.join(root, odd, "cur"))
    assert store.folders("dora") == ["INBOX", "Entwürfe"]
    store.rename_folder("dora", "Entwürfe", "日本語")
    assert os.path.isdir(os.path.join(root, ".&ZeVnLIqe-")) and store.folders("dora") == ["INBOX", "日本語"]
    store.delete_folder("dora", "日本語")
    assert store.folders("dora") == ["INBOX"]


def test_recent_lives_in_new_until_claimed(store):
    first = store.deliver("erin", b"Subject: one\n\nx\n")
    f = store.folder("erin")
    new_dir = os.path.join(f.md._path, "new")
    assert first.recent and len(os.listdir(new_dir)) == 1 and f.recent_count() == 1
    assert f.claim_recent(f.snapshot()) == {first.key}
    assert not first.recent and os.listdir(new_dir) == [] and f.recent_count() == 0
    assert f.claim_recent(f.snapshot()) == set()  # one session at most
    # the claimed file sits in cur/ with an empty info part; flags still work
    assert f.md._lookup(first.key).endswith(":2,")
    f.set_flags(first, {"\\Seen"})
    again = MailStore(store.root).folder("erin")  # a fresh index: cur/ is not recent, new/ is
    store.maildir("erin").add(b"Subject: dropped\n\nx\n")
    again.refresh()
    assert [e.recent for e in again.snapshot()] == [False, True]
    assert again.snapshot()[0].flags == {"\\Seen"}
