import threading
import time

import pytest


@pytest.fixture(autouse=True)
def _stop_lab_servers():
    """After every test: stop the lab servers it left running and check that
    stopping left no server thread behind."""
    yield
    from netbook.servers import base

    base.stop_all()
    deadline = time.time() + 5
    while time.time() < deadline and any(t.name.startswith("netbook-") for t in threading.enumerate()):
        time.sleep(0.05)
    alive = [t.name for t in threading.enumerate() if t.name.startswith("netbook-")]
    assert not alive, f"server threads still alive after stop: {alive}"


@pytest.fixture(scope="session")
def ipython():
    """IPython's global test shell with netbook's extension loaded, shared by
    every test module (``start_ipython`` only starts it once per process)."""
    from IPython import get_ipython
    from IPython.testing.globalipapp import start_ipython

    shell = start_ipython() or get_ipython()
    shell.run_line_magic("load_ext", "netbook")
    return shell
