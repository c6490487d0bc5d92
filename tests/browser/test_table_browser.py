"""The Table widget in a real JupyterLab in headless Chromium."""
from __future__ import annotations

import re

import nbformat
import pytest

from tests.browser.lab import JupyterLab

pytestmark = pytest.mark.browser

CELLS = [
    # 0: a DataFrame table
    "import netbook as nb, numpy as np, pandas as pd\n"
    "df = pd.DataFrame({'n': np.arange(1000), 'value': (np.arange(1000) * 7919) % 1000,\n"
    "                   'name': [f'row{i}' for i in range(1000)], 'size': np.arange(1000) * 1500})\n"
    "t = nb.Table(df, formats={'size': 'size'}, title='frame')\n"
    "t.on_select(lambda sel: open('selected.txt', 'w').write(','.join(map(str, sel['n']))))\n"
    "t",
    # 1: a lazy 2**32-row source
    "lazy = nb.LazySource(2**32, [nb.Column('i', 'int'), nb.Column('square', 'int')],\n"
    "                     lambda a, b: [(i, i * i) for i in range(a, b)], title='lazy')\n"
    "nb.Table(lazy)",
    # 2: a lab server and its live log
    "import pathlib, urllib.request\n"
    "pathlib.Path('site').mkdir(exist_ok=True); pathlib.Path('site/index.html').write_text('<h1>hi</h1>')\n"
    "srv = nb.serve.http('site')\n"
    "for _ in range(3): urllib.request.urlopen(srv.url).read()\n"
    "srv",
    # 3: a hostile page fetched (in-process WSGI, no socket): its scripts must not run
    "def hostile(environ, start_response):\n"
    "    start_response('200 OK', [('Content-Type', 'text/html; charset=utf-8')])\n"
    "    return [b\"<h1 id=hostile-h1>hostile page</h1>\"\n"
    "            b\"<script>document.title='PWNED'; parent.document.title='PWNED';\"\n"
    "            b\"parent.document.body.insertAdjacentHTML('beforeend', '<div id=pwned>PWNED</div>')</script>\"\n"
    "            b\"<img src=x onerror=\\\"parent.document.title='PWNED'; \"\n"
    "            b\"document.body.insertAdjacentHTML('beforeend','<b id=pwned2>x</b>')\\\">\"]\n"
    "nb.fetch('http://hostile.test/', app=hostile)",
]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("lab")
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(c) for c in CELLS]
    nbformat.write(nb, root / "table.ipynb")
    with JupyterLab(root) as lab:
        page = lab.open("table.ipynb")
        lab.run_all(page)
        page.wait_for_selector(".nb-table .nb-grid tbody tr", timeout=120_000)
        yield lab, page, root


def first_table(page):
    return page.locator(".nb-table").first


def column(page, table, name):
    """The texts of column ``name`` on the visible page, read in one go in the
    page (row-by-row locators could outlive a page change and wait 30 s)."""
    return table.evaluate(
        """(el, name) => {
            const heads = [...el.querySelector('thead tr').querySelectorAll('th')].map(th => th.getAttribute('data-column'));
            const j = heads.indexOf(name);
            if (j < 0) throw new Error('no column ' + name);
            return [...el.querySelectorAll('tbody tr')].map(tr => tr.querySelectorAll('td')[j].innerText);
        }""",
        name,
    )


def wait_rows(page, table, pred, timeout=30):
    import time

    end = time.time() + timeout
    while time.time() < end:
        try:
            if pred():
                return True
        except Exception:
            pass
        page.wait_for_timeout(100)
    raise AssertionError("the table did not update")


def test_first_page_renders(lab):
    lab_, page, _ = lab
    t = first_table(page)
    rows = t.locator("tbody tr")
    assert rows.count() == 25
    assert column(page, t, "n")[:3] == ["0", "1", "2"]
    assert t.locator(".nb-range").inner_text() == "1–25 of 1,000"
    # formats by type: sizes as KiB, numbers right-aligned
    assert column(page, t, "size")[1] == "1.5 KiB"
    assert "nb-num" in t.locator("tbody tr").first.locator("td").first.get_attribute("class")
    JupyterLab.shot(page, "table-first-page")


def test_click_header_sorts(lab):
    _, page, _ = lab
    t = first_table(page)
    t.locator("thead th[data-column='value']").click()
    wait_rows(page, t, lambda: column(page, t, "value")[:2] == ["0", "1"])
    values = [int(v.replace(",", "")) for v in column(page, t, "value")]
    assert values == sorted(values)
    t.locator("thead th[data-column='value']").click()  # descending
    wait_rows(page, t, lambda: column(page, t, "value")[0] == "999")
    JupyterLab.shot(page, "table-sorted-desc")
    t.locator("thead th[data-column='value']").click()  # back to unsorted
    wait_rows(page, t, lambda: column(page, t, "n")[0] == "0")


def test_next_page(lab):
    _, page, _ = lab
    t = first_table(page)
    t.locator("button[aria-label='next page']").click()
    wait_rows(page, t, lambda: column(page, t, "n")[0] == "25")
    assert t.locator(".nb-range").inner_text() == "26–50 of 1,000"
    page.keyboard.press("PageDown")  # keyboard: focus is in the table after the click
    t.focus()
    page.keyboard.press("PageDown")
    wait_rows(page, t, lambda: t.locator(".nb-range").inner_text().startswith("51") or t.locator(".nb-range").inner_text().startswith("76"))
    t.locator("button[aria-label='first page']").click()
    wait_rows(page, t, lambda: column(page, t, "n")[0] == "0")


def test_filter_narrows_rows(lab):
    _, page, _ = lab
    t = first_table(page)
    t.locator("input.nb-search").fill("row99")
    wait_rows(page, t, lambda: t.locator(".nb-range").inner_text().startswith("1–11 of 11"))
    assert all(n.startswith("row99") for n in column(page, t, "name"))
    JupyterLab.shot(page, "table-filtered")
    t.locator("input.nb-search").fill("")
    wait_rows(page, t, lambda: t.locator(".nb-range").inner_text() == "1–25 of 1,000")
    t.locator("thead input[data-column='n']").fill(">=990")
    wait_rows(page, t, lambda: t.locator(".nb-range").inner_text().startswith("1–10 of 10"))
    t.locator("thead input[data-column='n']").fill("")
    wait_rows(page, t, lambda: t.locator(".nb-range").inner_text() == "1–25 of 1,000")


def test_selection_reaches_python(lab):
    _, page, root = lab
    t = first_table(page)
    t.locator("tbody tr").nth(3).click()
    t.locator("tbody tr").nth(5).click(modifiers=["Control"])
    sel = root / "selected.txt"
    wait_rows(page, t, lambda: sel.exists() and sel.read_text() == "3,5")
    assert t.locator("tbody tr.nb-selected").count() == 2


def test_lazy_table_pages_to_the_last_of_2_to_the_32(lab):
    _, page, _ = lab
    t = page.locator(".nb-table").nth(1)
    assert t.locator(".nb-range").inner_text() == "1–25 of 4,294,967,296"
    t.locator("button[aria-label='last page']").click()
    wait_rows(page, t, lambda: t.locator(".nb-range").inner_text().endswith("4,294,967,296")
              and t.locator(".nb-range").inner_text().startswith("4,294,967,2"))
    last = column(page, t, "i")[-1]
    assert last == "4,294,967,295"
    assert t.locator("input.nb-search").is_hidden()  # a lazy source offers no filter
    JupyterLab.shot(page, "table-lazy-last-page")


def test_server_log_table_shows_requests(lab):
    _, page, _ = lab
    t = page.locator(".nb-table").nth(2)
    wait_rows(page, t, lambda: len(column(page, t, "request")) == 3)
    assert set(column(page, t, "request")) == {"GET / HTTP/1.1"}
    assert re.match(r"\d", column(page, t, "ms")[0])
    t.scroll_into_view_if_needed()
    JupyterLab.shot(page, "server-log")


def test_shift_click_sorts_by_two_columns(lab):
    _, page, _ = lab
    t = first_table(page)
    t.locator("thead th[data-column='value']").click()
    wait_rows(page, t, lambda: t.locator("thead th[data-column='value']").get_attribute("aria-sort") == "ascending")
    t.locator("thead th[data-column='n']").click(modifiers=["Shift"])
    t.locator("thead th[data-column='n']").click(modifiers=["Shift"])  # second key, descending
    wait_rows(page, t, lambda: t.locator("thead th[data-column='n']").get_attribute("aria-sort") == "descending")
    assert t.locator("thead th[data-column='value']").get_attribute("aria-sort") == "ascending"
    assert t.locator("thead th[data-column='n'] sup").inner_text() == "2"
    for _ in range(3):  # plain clicks: value alone ascending, then descending, then unsorted
        t.locator("thead th[data-column='value']").click()
    wait_rows(page, t, lambda: column(page, t, "n")[0] == "0" and t.locator("thead th[aria-sort='none']").count() == 4)


def test_arrow_keys_move_the_selection(lab):
    _, page, root = lab
    t = first_table(page)
    t.locator("tbody tr").nth(0).click()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    sel = root / "selected.txt"
    wait_rows(page, t, lambda: sel.read_text() == "2")
    assert t.locator("tbody tr.nb-selected").get_attribute("data-key") == "2"
    page.keyboard.press("Escape")
    wait_rows(page, t, lambda: t.locator("tbody tr.nb-selected").count() == 0)


def test_hostile_html_never_runs_in_the_notebook(lab):
    _, page, _ = lab
    frame_el = page.locator("iframe[sandbox]").first
    frame_el.wait_for(state="attached", timeout=60_000)
    frame_el.scroll_into_view_if_needed()
    page.wait_for_timeout(1000)  # give any script the chance it must not get
    assert frame_el.get_attribute("sandbox") == ""  # no allow-scripts, no allow-same-origin
    inner = frame_el.element_handle().content_frame()
    inner.wait_for_selector("#hostile-h1", timeout=30_000)  # the page is shown...
    assert "PWNED" not in page.title()  # ...but its script did not run
    assert page.locator("#pwned").count() == 0 and page.locator("#pwned2").count() == 0
    assert inner.locator("#pwned2").count() == 0  # not even inside the frame
    assert page.evaluate("document.title") != "PWNED"
    JupyterLab.shot(page, "hostile-html-sandboxed")
