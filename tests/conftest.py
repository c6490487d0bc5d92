import threading
import time

import pytest


@pytest.fixture(autouse=True)
def _no_leaked_servers():
    """Every test leaves no lab server running and no server thread behind."""
    yield
    from netbook.servers import base

    leaked = list(base.registry())
    base.stop_all()
    deadline = time.time() + 5
    while time.time() < deadline and any(t.name.startswith("netbook-") for t in threading.enumerate()):
        time.sleep(0.05)
    assert not leaked, f"test left lab servers running: {leaked}"
