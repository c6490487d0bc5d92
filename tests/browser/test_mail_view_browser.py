"""The mail folder view (``FolderView.widget()``) in a real JupyterLab in
headless Chromium: folders, the message Table, the preview (hostile HTML
sandboxed, remote images never requested), attachments saved to disk, the
MIME tree and the Received chain."""
from __future__ import annotations

import http.server
import threading
import time
from typing import ClassVar

import nbformat
import pytest

from tests.browser.lab import JupyterLab

pytestmark = pytest.mark.browser

PASSWORD = "s3cret-Mail-PW-7731"
REMOTE_HOST = "remote-pixel.test"
# markup in a header must show as text, never become elements of the page
EVIL_SUBJECT = "<b id=subj-inj>bold</b><img src=x onerror=\"parent.document.title='PWNED'\">"
BULK = 5001  # one more than IMAP._view_source's eager limit: the table pages lazily by UID

CELLS = [
    # 0: a mail lab and a handful of messages sent over SMTP
    ("%load_ext netbook\n"
    "import netbook as nb\n"
    "pw = open('imap-password.txt').read().strip()  # never typed into the notebook\n"
    "lab = nb.lab('mail', users={'alice': pw})\n"
    "def mail(**kw):\n"
    "    r = nb.mail.send(to='alice@netbook.lab', from_='Bob <bob@netbook.lab>', url=lab.smtp, **kw)\n"
    "    assert r.ok, r\n"
    "mail(subject='plain hello', body='Hello Alice,\\nthis is the plain text body.\\n')\n"
    "mail(subject='hostile html', html=HOSTILE)\n"
    "mail(subject='quarterly report', body='The report is attached.\\n',\n"
    "     attachments=[('report.csv', b'region,total\\nnorth,42\\n')])\n"
    "mail(subject='both ways', body='the plain alternative\\n', html='<p id=alt-html>the <b>HTML</b> alternative</p>')\n"
    "mail(subject=EVIL_SUBJECT, body='look at my subject\\n')\n"
    "box = lab.imap_for('alice')\n"
    "box.create('Archive')\n"
    "box.append(b'From: Carol <carol@netbook.lab>\\r\\nTo: alice@netbook.lab\\r\\nSubject: archived note\\r\\n\\r\\nold news\\r\\n', 'Archive')\n"
    "bulk = lab.store.folder('alice', 'Bulk', create=True)  # big enough for the lazily paged table\n"
    "for i in range(BULK):\n"
    "    bulk.add(f'From: robot@netbook.lab\\r\\nTo: alice@netbook.lab\\r\\nSubject: bulk {i}\\r\\n\\r\\nbody {i}\\r\\n'.encode())\n"
    "url = lab.imap.url_for('alice') + '/INBOX'\n"
    "len(lab.store.to_frame())"),
    # 1: the folder view, through the curl-like magic
    "%fetch -u alice:{pw} {url}",
]


def hostile_html(pixel_url: str) -> str:
    return (
        "<h1 id=hostile-h1>hostile mail</h1>"
        "<script>document.title='PWNED'; parent.document.title='PWNED';"
        "parent.document.body.insertAdjacentHTML('beforeend', '<div id=pwned>PWNED</div>')</script>"
        "<img src=x onerror=\"parent.document.title='PWNED'; "
        "document.body.insertAdjacentHTML('beforeend','<b id=pwned2>x</b>')\">"
        f"<img id=remote1 src=\"http://{REMOTE_HOST}/track.gif\">"
        f"<img id=remote2 src=\"{pixel_url}\">"
    )


class _Pixel(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list] = []

    def do_GET(self):
        self.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/gif")
        self.end_headers()

    def log_message(self, *a):
        pass


@pytest.fixture(scope="module")
def pixel():
    """A loopback 'tracking pixel' server: the preview must never call it."""
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Pixel)
    _Pixel.hits = []
    t = threading.Thread(target=srv.serve_forever, name="test-pixel", daemon=True)
    t.start()
    yield srv, _Pixel.hits
    srv.shutdown()
    srv.server_close()
    t.join(5)


@pytest.fixture(scope="module")
def lab(tmp_path_factory, pixel):
    srv, _ = pixel
    root = tmp_path_factory.mktemp("maillab")
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    pixel_url = f"http://127.0.0.1:{srv.server_address[1]}/pixel.gif"
    head = f"HOSTILE = {hostile_html(pixel_url)!r}\nEVIL_SUBJECT = {EVIL_SUBJECT!r}\nBULK = {BULK}\n"
    cells = [head + CELLS[0], CELLS[1]]
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    nbformat.write(nb, root / "mail.ipynb")
    (root / "imap-password.txt").write_text(PASSWORD)
    with JupyterLab(root) as lab:
        page = lab.open("mail.ipynb")
        requests = []
        page.on("request", lambda r: requests.append(r.url))
        page.on("requestfailed", lambda r: requests.append(r.url))
        lab.run_all(page)
        try:
            page.wait_for_selector(".nb-mailview .nb-table .nb-grid tbody tr[data-key]", timeout=60_000)
        except Exception:  # noqa: BLE001 - any failure: show what the page holds
            JupyterLab.shot(page, "mailview-failed-to-render")
            raise AssertionError("the folder view did not render; page text:\n" + page.evaluate("document.body.innerText")[-3000:]) from None
        yield lab, page, root, requests


def view(page):
    return page.locator(".nb-mailview").first


def wait_until(page, pred, timeout=30, what="the view did not update"):
    end = time.time() + timeout
    while time.time() < end:
        try:
            done = pred()
        except Exception:  # noqa: BLE001 - not there yet
            done = False
        if done:
            return True
        page.wait_for_timeout(100)
    shot(page, "mailview-timeout")
    raise AssertionError(what)


def shot(page, name):
    """A screenshot with the folder view at the top of the window."""
    page.locator(".nb-mailview").first.evaluate("el => el.scrollIntoView({block: 'start'})")
    return JupyterLab.shot(page, name)


def column(table, name):
    """The texts of column ``name`` on the visible page, read in one go in
    the page (row by row locators could outlive a page change and wait)."""
    return table.evaluate(
        """(el, name) => {
            const heads = [...el.querySelector('thead tr').querySelectorAll('th')].map(th => th.getAttribute('data-column'));
            const j = heads.indexOf(name);
            if (j < 0) throw new Error('no column ' + name);
            return [...el.querySelectorAll('tbody tr[data-key]')].map(tr => tr.querySelectorAll('td')[j].innerText);
        }""",
        name,
    )


def row(table, subject):
    return table.locator("tbody tr[data-key]", has_text=subject).first


def tab(v, title):
    return v.locator(".lm-TabBar-tab", has_text=title).first


def preview(v):
    return v.locator(".nb-mail-preview").first


def select_message(page, v, subject):
    tab(v, "message").click()
    row(v.locator(".nb-table").first, subject).click()
    wait_until(page, lambda: subject in preview(v).inner_text(), what=f"no preview of {subject!r}")


def test_folders_and_message_rows(lab):
    _, page, _, _ = lab
    v = view(page)
    options = v.locator("select option")
    assert sorted(options.nth(i).inner_text() for i in range(options.count())) == ["Archive", "Bulk", "INBOX"]
    assert v.locator("select").input_value() == "INBOX"
    t = v.locator(".nb-table").first
    assert column(t, "subject") == ["plain hello", "hostile html", "quarterly report", "both ways", EVIL_SUBJECT]
    assert set(column(t, "from")) == {"Bob <bob@netbook.lab>"}
    assert "select a message" in preview(v).inner_text()
    shot(page, "mailview-folder")


def test_click_row_shows_the_preview(lab):
    _, page, _, _ = lab
    v = view(page)
    select_message(page, v, "plain hello")
    p = preview(v)
    heads = p.locator("table").first.inner_text()
    assert "plain hello" in heads and "Bob <bob@netbook.lab>" in heads and "alice@netbook.lab" in heads
    assert "this is the plain text body." in p.locator("pre").inner_text()
    assert p.locator("iframe").count() == 0  # plain text: no frame at all
    assert row(v.locator(".nb-table").first, "plain hello").get_attribute("class").strip().startswith("nb-selected")
    shot(page, "mailview-preview-text")
    page.keyboard.press("Escape")  # deselect (focus is in the table after the click)
    wait_until(page, lambda: "select a message" in preview(v).inner_text(), what="the preview stayed after deselecting")


def test_hostile_html_is_sandboxed_and_remote_images_blocked(lab, pixel):
    _, page, _, requests = lab
    _, hits = pixel
    v = view(page)
    select_message(page, v, "hostile html")
    frame_el = preview(v).locator("iframe").first
    frame_el.wait_for(state="attached", timeout=30_000)
    assert frame_el.get_attribute("sandbox") == ""  # no allow-scripts, no allow-same-origin
    srcdoc = frame_el.get_attribute("srcdoc")
    assert "default-src 'none'" in srcdoc and "Content-Security-Policy" in srcdoc
    assert REMOTE_HOST not in srcdoc and "127.0.0.1" not in srcdoc and 'data-netbook-blocked="remote"' in srcdoc
    inner = frame_el.element_handle().content_frame()
    inner.wait_for_selector("#hostile-h1", timeout=30_000)  # the mail is shown...
    page.wait_for_timeout(1000)  # ...and any script gets the chance it must not get
    assert "PWNED" not in page.title() and page.evaluate("document.title") != "PWNED"
    assert page.locator("#pwned").count() == 0 and page.locator("#pwned2").count() == 0
    assert inner.locator("#pwned2").count() == 0  # the onerror did not run, not even inside the frame
    assert inner.evaluate("document.getElementById('remote1').getAttribute('src')") == "about:blank"
    # neither the unresolvable host nor a loopback "pixel" that would answer was asked
    assert not [u for u in requests if REMOTE_HOST in u or "pixel.gif" in u]
    assert hits == []
    assert "2 remote links or images blocked" in preview(v).locator(".nb-mail-blocked").inner_text()
    shot(page, "mailview-hostile-html")


def test_multipart_alternative_shows_both_parts(lab):
    _, page, _, _ = lab
    v = view(page)
    select_message(page, v, "both ways")
    p = preview(v)
    frame_el = p.locator("iframe[sandbox='']").first
    inner = frame_el.element_handle().content_frame()
    inner.wait_for_selector("#alt-html", timeout=30_000)
    assert "the plain alternative" in p.locator("pre").inner_text()
    tab(v, "MIME tree").click()
    tree = v.locator(".nb-table:visible").nth(1)
    wait_until(page, lambda: tree.is_visible() and len(column(tree, "type")) == 3)
    assert column(tree, "type") == ["multipart/alternative", "text/plain", "text/html"]
    shot(page, "mailview-mime-tree")


def test_received_chain_tab(lab):
    _, page, _, _ = lab
    v = view(page)
    select_message(page, v, "plain hello")
    tab(v, "Received chain").click()
    t = v.locator(".nb-table:visible").nth(1)
    wait_until(page, lambda: t.is_visible() and len(column(t, "hop")) >= 1, what="no Received chain")
    assert column(t, "hop")[0] == "1"
    assert any("netbook" in b.lower() or "127.0.0.1" in b or "localhost" in b for b in column(t, "by") + column(t, "from"))
    shot(page, "mailview-received-chain")


def test_attachment_listed_and_saved(lab):
    _, page, root, _ = lab
    v = view(page)
    select_message(page, v, "quarterly report")
    assert "report.csv" in preview(v).inner_text()
    tab(v, "attachments").click()
    t = v.locator(".nb-table:visible").nth(1)
    wait_until(page, lambda: t.is_visible() and column(t, "filename") == ["report.csv"], what="attachment not listed")
    assert column(t, "type") == ["text/csv"]
    button = v.locator("button", has_text="save attachments")
    assert button.is_enabled()
    button.click()
    saved = root / "attachments" / "report.csv"
    wait_until(page, saved.exists, what="the attachment was not written")
    wait_until(page, lambda: saved.read_bytes() == b"region,total\nnorth,42\n")
    wait_until(page, lambda: "saved 1 file" in v.inner_text())
    shot(page, "mailview-attachments")
    # a message without attachments disables the button again
    select_message(page, v, "plain hello")
    wait_until(page, lambda: not button.is_enabled(), what="save stays enabled without attachments")


def test_switching_folder_changes_the_table(lab):
    _, page, _, _ = lab
    v = view(page)
    tab(v, "message").click()
    select_message(page, v, "quarterly report")
    v.locator("select").select_option("Archive")
    t = v.locator(".nb-table").first
    wait_until(page, lambda: column(t, "subject") == ["archived note"], what="the table did not switch folder")
    # the INBOX message is no longer previewed nor saveable from the Archive view
    wait_until(page, lambda: "select a message" in preview(v).inner_text(), what="stale preview after switching folder")
    button = v.locator("button", has_text="save attachments")
    wait_until(page, lambda: not button.is_enabled(), what="save stays enabled after switching folder")
    select_message(page, v, "archived note")
    assert "old news" in preview(v).locator("pre").inner_text()
    shot(page, "mailview-archive")
    v.locator("select").select_option("INBOX")
    wait_until(page, lambda: len(column(v.locator(".nb-table").first, "subject")) == 5)


def test_markup_in_headers_stays_text(lab):
    _, page, _, _ = lab
    v = view(page)
    tab(v, "message").click()
    v.locator(".nb-table").first.locator("tbody tr[data-key]").nth(4).click()
    wait_until(page, lambda: "look at my subject" in preview(v).inner_text())
    assert EVIL_SUBJECT in preview(v).locator("table").first.inner_text()  # shown literally
    page.wait_for_timeout(500)
    assert page.locator("#subj-inj").count() == 0 and "PWNED" not in page.title()
    shot(page, "mailview-header-markup-as-text")


def test_huge_folder_pages_lazily(lab):
    _, page, _, _ = lab
    v = view(page)
    tab(v, "message").click()
    v.locator("select").select_option("Bulk")
    t = v.locator(".nb-table").first
    wait_until(page, lambda: t.locator(".nb-range").inner_text() == f"1–15 of {BULK:,}", what="the Bulk folder did not load")
    assert column(t, "subject")[:2] == ["bulk 0", "bulk 1"]
    assert t.locator("input.nb-search").is_hidden()  # a lazy source: only the visible page is fetched
    t.locator("button[aria-label='last page']").click()
    wait_until(page, lambda: column(t, "subject")[-1] == f"bulk {BULK - 1}", what="the last page did not load")
    select_message(page, v, f"bulk {BULK - 1}")
    assert f"body {BULK - 1}" in preview(v).locator("pre").inner_text()
    shot(page, "mailview-bulk-last-page")
    v.locator("select").select_option("INBOX")
    wait_until(page, lambda: len(column(v.locator(".nb-table").first, "subject")) == 5)


def test_password_never_in_the_page_nor_the_saved_notebook(lab):
    _, page, root, _ = lab
    assert PASSWORD not in page.content()
    for f in page.frames:
        assert PASSWORD not in f.content()
    assert PASSWORD not in page.evaluate("document.body.innerText")

    # saved, the notebook keeps the outputs (the static HTML of the view) and still no password
    nb_file = root / "mail.ipynb"
    before = nb_file.stat().st_mtime_ns
    page.click("text=File")
    page.get_by_text("Save Notebook", exact=True).click()
    wait_until(page, lambda: nb_file.stat().st_mtime_ns != before and "netbook-mailview" in nb_file.read_text(),
               what="the notebook was not saved with the view's output")
    saved = nb_file.read_text()
    assert PASSWORD not in saved and "alice@" in saved
