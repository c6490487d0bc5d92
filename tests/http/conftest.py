import pytest

from tests.peers import require

from .apps import app as test_app


@pytest.fixture
def lab():
    """The test app on a real socket (nb.serve.wsgi), stopped after the test."""
    import netbook as nb

    srv = nb.serve.wsgi(test_app, name="http-test")
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def nginx():
    """nginx (an independent server) for the whole session."""
    require("nginx", "/usr/sbin/nginx")
    from .nginx_peer import Nginx

    n = Nginx()
    yield n
    n.stop()


@pytest.fixture
def curl():
    return require("curl")
