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
