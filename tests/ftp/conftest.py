import os

import pytest


@pytest.fixture
def srv():
    """A lab FTP server: alice/pw (home with a few files) + anonymous (root)."""
    import netbook as nb

    s = nb.serve.ftp(users={"alice": "pw", "bob": "secret-bob"})
    home = s.home("alice")
    with open(os.path.join(home, "hello.txt"), "w") as f:
        f.write("hello over ftp\n")
    os.makedirs(os.path.join(home, "reports", "2026"))
    with open(os.path.join(home, "reports", "q1.csv"), "w") as f:
        f.write("region,sales\nnorth,10\n")
    with open(os.path.join(s.root, "readme.txt"), "w") as f:
        f.write("public readme\n")
    yield s
    s.stop()


@pytest.fixture
def alice(srv):
    import netbook as nb

    f = nb.ftp(srv.user_url("alice"), password="pw", progress=False)
    yield f
    f.close()
