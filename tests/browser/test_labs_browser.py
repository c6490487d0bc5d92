"""Every lab as a student meets it: JupyterLab in Chromium, Run All, then
clicking through the live views (mail and news folder views, the Response
tabs, %ipnet, fetch_many).  No error text in the page, no error in the
browser console; screenshots at 1400 and 1024 px wide."""
from __future__ import annotations

import json
import os
import pathlib
import shutil
import time
import urllib.request

import pytest

from tests.browser.lab import JupyterLab

pytestmark = pytest.mark.browser

NOTEBOOKS = pathlib.Path(__file__).resolve().parents[2] / "notebooks"
LABS = sorted(p.name for p in NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))
if os.environ.get("NETBOOK_LABS"):  # while debugging: only these labs, e.g. NETBOOK_LABS=03-mail,06-news
    LABS = [n for n in LABS if n.removesuffix(".ipynb") in os.environ["NETBOOK_LABS"].split(",")]
# text that must never be in the page after Run All or a click
BAD_TEXT = ["Traceback (most recent call last)", "Error displaying widget", "Error rendering", "cannot load message",
            "illegal in state", "object has no attribute", "Model not found"]
# console messages that are the safety rules working, not errors: the labs show hostile pages and
# mail, whose scripts the sandboxed iframe refuses (DESIGN principle 5)
BENIGN_CONSOLE: list[str] = [
    "Blocked script execution in 'about:srcdoc' because the document's frame is sandboxed",
]


@pytest.fixture(scope="module")
def jlab(tmp_path_factory):
    root = tmp_path_factory.mktemp("labs")
    for name in LABS:
        shutil.copy(NOTEBOOKS / name, root / name)
    with JupyterLab(root) as lab:
        yield lab


def _shutdown_kernels(lab: JupyterLab) -> None:
    base = f"http://127.0.0.1:{lab.port}/api"
    with urllib.request.urlopen(f"{base}/kernels?token={lab.token}", timeout=10) as r:
        kernels = json.load(r)
    for k in kernels:
        req = urllib.request.Request(f"{base}/kernels/{k['id']}?token={lab.token}", method="DELETE")
        urllib.request.urlopen(req, timeout=30).read()


class Console:
    def __init__(self, page):
        self.errors: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))

    def real(self) -> list[str]:
        return [e for e in self.errors if not any(b in e for b in BENIGN_CONSOLE)]


def run_all_and_wait(lab: JupyterLab, page, name: str, timeout: float = 300) -> None:
    lab.run_all(page)
    page.wait_for_timeout(1500)
    end = time.time() + timeout
    while time.time() < end:
        busy = page.evaluate(
            "() => [...document.querySelectorAll('.jp-Notebook .jp-InputArea-prompt')].some(p => p.textContent.includes('*'))"
            " || !!document.querySelector('.jp-Notebook-ExecutionIndicator[data-status=\"busy\"]')")
        unrun = page.evaluate(
            "() => [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputArea-prompt')]"
            ".filter(p => p.textContent.trim() === '[ ]:').length")
        if not busy and not unrun:
            break
        page.wait_for_timeout(500)
    else:
        JupyterLab.shot(page, f"labs-{name}-timeout")
        raise AssertionError(f"{name}: Run All did not finish in {timeout} s")
    page.wait_for_timeout(1500)  # widgets render after the last reply


def page_text(page) -> str:
    return page.evaluate("() => document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook').innerText")


def assert_clean(page, console: Console, name: str, when: str) -> None:
    text = page_text(page)
    bad = [b for b in BAD_TEXT if b in text]
    errors = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) [data-mime-type='application/vnd.jupyter.error']")
    assert not bad and errors.count() == 0, f"{name} {when}: error text {bad} / {errors.count()} error outputs"
    tables = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .nb-table .nb-error")
    shown = [t for t in tables.all_inner_texts() if t.strip()]
    assert not shown, f"{name} {when}: Table error banners {shown}"
    assert not console.real(), f"{name} {when}: console errors {console.real()}"


def shots(page, name: str, locator=None) -> None:
    """Screenshots at 1400 and at 1024 px wide, the view at the top."""
    for width in (1400, 1024):
        page.set_viewport_size({"width": width, "height": 1000})
        page.wait_for_timeout(300)
        if locator is not None and locator.count():
            locator.first.evaluate("el => el.scrollIntoView({block: 'start'})")
            page.wait_for_timeout(200)
        JupyterLab.shot(page, f"labs-{name}-{width}")
    page.set_viewport_size({"width": 1400, "height": 1000})


def settle(page, locator, quiet: float = 0.8, timeout: float = 20) -> None:
    """Wait until the text of ``locator`` has stopped changing for ``quiet``
    seconds: a Table sends its new count and title before the page of rows
    (the rows of the previous folder can still be there for a moment)."""
    end, last, since = time.time() + timeout, None, time.time()
    while time.time() < end:
        text = locator.inner_text()
        if text != last:
            last, since = text, time.time()
        elif time.time() - since >= quiet:
            return
        page.wait_for_timeout(100)


def wait_until(page, pred, what: str, timeout: float = 30) -> None:
    end = time.time() + timeout
    while time.time() < end:
        try:
            if pred():
                return
        except Exception:  # noqa: BLE001, S110 - not there yet
            pass
        page.wait_for_timeout(150)
    raise AssertionError(what)


# -- clicking through the views -----------------------------------------------------
def click_folder_views(page, name: str) -> int:
    """Each folder view: open a message, switch folder, open one there."""
    views = page.locator(".nb-mailview")
    n = views.count()
    for i in range(n):
        v = views.nth(i)
        v.scroll_into_view_if_needed()
        table = v.locator(".nb-table").first
        preview = v.locator(".nb-mail-preview").first
        rows = table.locator("tbody tr[data-key]")
        settle(page, table)
        if rows.count():
            rows.first.click()
            wait_until(page, lambda p=preview: "select a message" not in p.inner_text(), f"{name}: no preview")
            assert "cannot load" not in preview.inner_text(), preview.inner_text()
        options = v.locator("select option")
        names = [options.nth(j).inner_text() for j in range(options.count())]
        current = v.locator("select").input_value()
        for other in [x for x in names if x != current][:2] + [current]:
            v.locator("select").select_option(other)
            wait_until(page, lambda t=table, o=other: t.locator(".nb-title").inner_text().startswith(o)
                       or o in t.inner_text(), f"{name}: the table did not switch to {other}")
            note = v.locator(".nb-view-note").first.inner_text()
            assert "cannot" not in note, note
            rows = table.locator("tbody tr[data-key]")
            settle(page, table)
            if rows.count():
                rows.first.click()
                wait_until(page, lambda p=preview: "select a message" not in p.inner_text(), f"{name}: no preview in {other}")
                assert "cannot load" not in preview.inner_text(), preview.inner_text()
    return n


def click_response_tabs(page, name: str) -> int:
    """Each Response widget: every tab, and its panel shows something."""
    outs = page.locator(".jp-OutputArea-output:has(.netbook-response):has(.lm-TabBar)")
    n = outs.count()
    for i in range(min(n, 4)):
        out = outs.nth(i)
        out.scroll_into_view_if_needed()
        tabs = out.locator(".lm-TabBar-tab")
        # Lumino draws the tab labels on an animation frame once the output is on screen
        wait_until(page, lambda t=tabs: all(x.strip() for x in t.all_text_contents()), f"{name}: tab labels not drawn")
        titles = [t.strip() for t in tabs.all_text_contents()]
        assert titles[:1] == ["Body"] and any(t.startswith("Timing") for t in titles), titles
        for j in range(tabs.count()):
            tabs.nth(j).click()
            page.wait_for_timeout(150)
            panel = out.locator(".widget-tab-contents > .lm-Widget:not(.lm-mod-hidden)").first
            text = (panel.text_content() or "").strip()
            assert text or panel.locator("iframe, img").count(), f"{name}: tab {titles[j]} is empty"
        timing = next(j for j, t in enumerate(titles) if t.startswith("Timing"))
        tabs.nth(timing).click()  # the screenshot shows the waterfall
        text = out.locator(".widget-tab-contents > .lm-Widget:not(.lm-mod-hidden)").first.text_content() or ""
        assert "total" in text and " ms" in text, text
    return n


def click_ipnet(page, name: str) -> int:
    views = page.locator(".jp-OutputArea-output .widget-html .netbook-ipnet")
    n = views.count()
    for i in range(min(n, 3)):
        v = views.nth(i)
        v.scroll_into_view_if_needed()
        more = v.locator("details > summary")
        if more.count():
            more.first.click()
            assert v.locator("details[open]").count() == 1
            more.first.click()
    return n


def check_fetch_many(page, name: str) -> int:
    tables = page.locator(".nb-table", has_text="fetch_many results")
    for i in range(tables.count()):
        t = tables.nth(i)
        t.scroll_into_view_if_needed()
        heads = t.locator("thead th").all_inner_texts()
        assert any("elapsed_ms" in h for h in heads), heads
        cells = t.locator("tbody td").all_inner_texts()
        assert any(c.endswith(" ms") for c in cells), cells
    return tables.count()


@pytest.mark.timeout(1800)
def test_every_lab_runs_and_its_views_click_through(jlab):
    seen = {}
    for name in LABS:
        stem = name.removesuffix(".ipynb")
        page = jlab.open(name, workspace=f"w-{stem}")
        console = Console(page)
        try:
            run_all_and_wait(jlab, page, stem)
            assert_clean(page, console, stem, "after Run All")
            counts = {
                "folder views": click_folder_views(page, stem),
                "responses": click_response_tabs(page, stem),
                "ipnet": click_ipnet(page, stem),
                "fetch_many": check_fetch_many(page, stem),
            }
            assert_clean(page, console, stem, "after clicking")
            first = next((sel for sel, k in ((".nb-mailview", "folder views"), (".netbook-response", "responses"),
                                            (".netbook-ipnet", "ipnet")) if counts[k]), None)
            if first is None and page.locator(".widget-html .netbook-telnet").count():
                first = ".widget-html .netbook-telnet"  # the telnet view's header
            shots(page, stem, page.locator(first) if first else None)
            seen[stem] = counts
        except Exception:
            JupyterLab.shot(page, f"labs-{stem}-failed")
            raise
        finally:
            page.close()
            _shutdown_kernels(jlab)
    # the views the issue names were all found and clicked (in the labs that ran)
    need = [("03-mail", "folder views", 1), ("06-news", "folder views", 1), ("00-tour", "responses", 1),
            ("01-http", "responses", 1), ("04-ipnet", "ipnet", 1)]
    for stem, kind, least in need:
        if stem in seen:
            assert seen[stem][kind] >= least, (stem, kind, seen[stem])
    if "01-http" in seen:
        assert seen["01-http"]["fetch_many"] == 1
    assert len(seen) == len(LABS) >= 1
