"""JupyterLab on loopback driven by Debian's chromium through Playwright.

Used by the browser tests: ``with JupyterLab(root) as lab: page = lab.open("x.ipynb")``.
Screenshots go to ``build/screenshots/``.
"""
from __future__ import annotations

import os
import pathlib
import secrets
import socket
import subprocess
import sys
import time
import urllib.request

from tests.peers import require

SHOTS = pathlib.Path(__file__).resolve().parents[2] / "build" / "screenshots"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class JupyterLab:
    def __init__(self, root: pathlib.Path):
        self.root = pathlib.Path(root)
        self.port = _free_port()
        self.token = secrets.token_hex(16)
        self.proc = None
        self.browser = None
        self._pw = None

    def __enter__(self):
        chromium = require("chromium", "/usr/bin/chromium")
        cfg = self.root / ".jupyter"
        env = dict(os.environ)
        env.update(
            JUPYTER_CONFIG_DIR=str(cfg),
            JUPYTERLAB_SETTINGS_DIR=str(cfg / "lab-settings"),
            JUPYTERLAB_WORKSPACES_DIR=str(cfg / "lab-workspaces"),
            JUPYTER_RUNTIME_DIR=str(cfg / "runtime"),
        )
        # No "news" toast, no notifications popping over the notebook.
        settings = cfg / "lab-settings" / "@jupyterlab" / "apputils-extension"
        settings.mkdir(parents=True, exist_ok=True)
        (settings / "notification.jupyterlab-settings").write_text('{"fetchNews": "false", "checkForUpdates": false}')
        self.log = open(self.root / "jupyterlab.log", "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", f"--port={self.port}",
             "--allow-root", f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root}",
             "--LabApp.news_url=", "--ServerApp.disable_check_xsrf=False"],
            cwd=self.root, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        deadline = time.time() + 90
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/api/status?token={self.token}", timeout=2)
                break
            except OSError:
                if self.proc.poll() is not None or time.time() > deadline:
                    raise RuntimeError("JupyterLab did not start: " + (self.root / "jupyterlab.log").read_text()[-2000:])
                time.sleep(0.3)
        from playwright.sync_api import sync_playwright

        self._pw = sync_playwright().start()
        self.browser = self._pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        return self

    def open(self, notebook: str, workspace: str | None = None):
        """A page with ``notebook`` open; ``workspace``: a fresh named workspace
        (no tabs restored from notebooks opened before)."""
        page = self.browser.new_page(viewport={"width": 1400, "height": 1000})
        where = f"lab/workspaces/{workspace}/tree" if workspace else "lab/tree"
        reset = "&reset" if workspace else ""
        page.goto(f"http://127.0.0.1:{self.port}/{where}/{notebook}?token={self.token}{reset}")
        page.wait_for_selector(".jp-NotebookPanel", timeout=90_000)
        # A kernel dialog may appear on first open: accept it.
        try:
            page.wait_for_selector(".jp-Dialog .jp-mod-accept", timeout=3000)
            page.click(".jp-Dialog .jp-mod-accept")
        except Exception:
            pass
        page.wait_for_function(
            "() => !!document.querySelector('.jp-Notebook-ExecutionIndicator[data-status=\"idle\"]')"
            " || document.body.innerText.includes('| Idle')",
            timeout=90_000,
        )
        return page

    def run_all(self, page):
        page.click(".jp-NotebookPanel .jp-Notebook")
        page.click("text=Run", timeout=10_000)
        page.click("text=Run All Cells", timeout=10_000)

    @staticmethod
    def shot(page, name: str):
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=False)
        return path

    def __exit__(self, *exc):
        try:
            if self.browser:
                self.browser.close()
            if self._pw:
                self._pw.stop()
        finally:
            if self.proc and self.proc.poll() is None:
                self.proc.terminate()
                try:
                    self.proc.wait(15)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
            self.log.close()
