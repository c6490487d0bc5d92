"""Ladder diagrams and waterfalls in a real JupyterLab (headless Chromium):
inline SVG (not an image: text selectable), hover titles, folds that unfold
in <details>, the Diagram tab of the Response view, client and server views
side by side, a fetch_many waterfall.  Screenshots: build/screenshots/diagram-*.png"""
from __future__ import annotations

import nbformat
import pytest

from tests.browser.lab import JupyterLab

pytestmark = pytest.mark.browser

PASSWORD = "bob-Secret-PW-9917"

CELLS = [
    # 0: an SMTP session with AUTH
    ("%load_ext netbook\n"
     "import netbook as nb, time\n"
     "from netbook.transcript import Transcript, CLIENT, SERVER\n"
     "pw = open('smtp-password.txt').read().strip()  # never typed into the notebook\n"
     "lab = nb.lab('mail', users={'alice': 'alice-pw', 'bob': pw})\n"
     "r = nb.mail.send(to=['alice@netbook.lab', 'nobody@netbook.lab'], from_='bob@netbook.lab', subject='Lab 3',\n"
     "                 body='Hi Alice,\\nthe lab starts at ten.\\n', url=lab.smtp, user='bob', password=pw)\n"
     "r.transcript.diagram()"),
    # 1: 1,000 FETCH lines fold into one arrow
    ("t = Transcript(title='IMAP: FETCH 1:1000')\n"
     "t.record(SERVER, b'* OK ready\\r\\n')\n"
     "t.record(CLIENT, b'A1 FETCH 1:1000 (FLAGS)\\r\\n')\n"
     "t.record(SERVER, b''.join(b'* %d FETCH (FLAGS (\\\\Seen))\\r\\n' % i for i in range(1, 1001)) + b'A1 OK done\\r\\n')\n"
     "t.diagram()"),
    # 2: FTP, client and server side by side
    ("srv = nb.serve.ftp(users={'alice': 'alice-pw'})\n"
     "f = nb.ftp(srv.user_url('alice'), password='alice-pw')\n"
     "f.put(b'x' * 5000, 'up.bin', progress=False); f.read('up.bin'); f.close()\n"
     "nb.diagram(f.transcript, srv.transcripts[-1])"),
    # 3: telnet negotiation
    ("ts = nb.serve.telnet('menu', users={'alice': 'alice-pw'})\n"
     "c = nb.telnet(ts.url_for('alice'), password='alice-pw'); c.ask('whoami', until='$ '); c.close()\n"
     "c.transcript.diagram()"),
    # 4: the Response view and its Diagram tab (a redirect chain)
    ("def app(environ, start_response):\n"
     "    if environ['PATH_INFO'] == '/old':\n"
     "        start_response('301 Moved', [('Location', '/new'), ('Content-Length', '0')]); return [b'']\n"
     "    if environ['PATH_INFO'] == '/slow':\n"
     "        time.sleep(0.1)\n"
     "    start_response('200 OK', [('Content-Type', 'text/plain')]); return [b'hello ' * 40]\n"
     "web = nb.serve.wsgi(app)\n"
     "nb.fetch(web.url + 'old')"),
    # 5: a fetch_many waterfall
    ("df = nb.fetch_many([web.url + p for p in ['a', 'slow', 'b', 'slow', 'c', 'old'] * 2], concurrency=4, per_host=3, show=False)\n"
     "nb.http.waterfall(df)"),
]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("diagramlab")
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(c) for c in CELLS]
    nbformat.write(nb, root / "diagrams.ipynb")
    (root / "smtp-password.txt").write_text(PASSWORD)
    with JupyterLab(root) as lab:
        page = lab.open("diagrams.ipynb")
        lab.run_all(page)
        try:
            page.wait_for_selector("svg.netbook-waterfall", timeout=120_000)
        except Exception:  # noqa: BLE001 - show what the page holds
            JupyterLab.shot(page, "diagram-failed-to-render")
            raise AssertionError("the diagrams did not render; page text:\n"
                                 + page.evaluate("document.body.innerText")[-3000:]) from None
        yield lab, page


def output(page, i):
    return page.locator(".jp-Notebook .jp-Cell").nth(i).locator(".jp-OutputArea-output").first


def shot(page, i, name):
    output(page, i).evaluate("el => el.scrollIntoView({block: 'start'})")
    return JupyterLab.shot(page, name)


def test_smtp_ladder_is_inline_svg_with_selectable_text(lab):
    _, page = lab
    out = output(page, 0)
    svg = out.locator("svg.netbook-ladder").first
    assert svg.is_visible()
    assert out.locator("img").count() == 0  # inline SVG, not an image: its text is text
    lanes = svg.evaluate("s => [...s.querySelectorAll('g.lane')].map(g => g.getAttribute('data-lane'))")
    assert lanes == ["client", "server"]
    texts = svg.evaluate("s => [...s.querySelectorAll('g.arrow')].map(g => [...g.querySelectorAll('text')].pop().textContent)")
    assert "AUTH PLAIN ••••" in texts and "550 5.1.1 no such mailbox" in texts
    # text is selectable: select the whole diagram and read the selection back
    selected = svg.evaluate("s => { const r = document.createRange(); r.selectNodeContents(s);"
                            " const sel = getSelection(); sel.removeAllRanges(); sel.addRange(r); return sel.toString(); }")
    assert "AUTH PLAIN" in selected and "235 2.7.0 Authentication successful" in selected
    # hover: every arrow carries a <title> (the browser's tooltip), secrets masked there too
    titles = svg.evaluate("s => [...s.querySelectorAll('g.arrow > title')].map(t => t.textContent)")
    assert len(titles) == len(texts) and any("250-SIZE" in t for t in titles)
    assert PASSWORD not in page.evaluate("document.body.innerHTML")
    red = svg.evaluate("s => [...s.querySelectorAll('g.arrow[data-kind=error] line')].map(l => getComputedStyle(l).stroke)")
    assert red == ["rgb(220, 38, 38)"]
    page.evaluate("getSelection().removeAllRanges()")
    shot(page, 0, "diagram-smtp")


def test_fold_unfolds_in_details(lab):
    _, page = lab
    out = output(page, 1)
    main = out.locator("svg.netbook-ladder").first
    assert main.evaluate("s => s.querySelectorAll('g.arrow').length") == 4
    assert main.locator("g.fold").get_attribute("data-count") == "1000"
    details = out.locator("details.netbook-unfold").first
    assert not details.locator("svg").is_visible()
    details.locator("summary").click()
    unfolded = details.locator("svg").first
    unfolded.wait_for(state="visible", timeout=10_000)
    assert unfolded.evaluate("s => s.querySelectorAll('g.arrow').length") == 100
    shot(page, 1, "diagram-imap-fold")


def test_ftp_client_and_server_agree(lab):
    _, page = lab
    out = output(page, 2)
    both = out.locator("svg.netbook-ladders").first
    assert both.get_attribute("data-agree") == "true"
    assert "both views agree" in both.evaluate("s => s.textContent")
    lanes = both.evaluate("s => [...s.querySelectorAll('svg.netbook-ladder')].map("
                          "p => [...p.querySelectorAll('g.lane')].map(g => g.getAttribute('data-lane')))")
    assert lanes == [["client", "server", "server data"]] * 2
    assert both.evaluate("s => s.querySelectorAll('g.arrow[data-kind=data]').length") == 4
    shot(page, 2, "diagram-ftp-both-sides")


def test_telnet_options_named(lab):
    _, page = lab
    svg = output(page, 3).locator("svg.netbook-ladder").first
    opts = svg.evaluate("s => [...s.querySelectorAll('g.arrow[data-kind=option]')].map(g => [...g.querySelectorAll('text')].pop().textContent)")
    assert "WILL ECHO" in opts and "DO NAWS" in opts
    assert "alice-pw" not in svg.evaluate("s => s.outerHTML")
    shot(page, 3, "diagram-telnet")


def test_response_view_diagram_tab(lab):
    _, page = lab
    out = output(page, 4)
    out.locator(".lm-TabBar-tab", has_text="Diagram").first.click()
    svg = out.locator("svg.netbook-ladder").first
    svg.wait_for(state="visible", timeout=10_000)
    texts = svg.evaluate("s => [...s.querySelectorAll('g.arrow')].map(g => [...g.querySelectorAll('text')].pop().textContent)")
    assert texts[:4] == ["GET /old HTTP/1.1", "HTTP/1.1 301 Moved", "GET /new HTTP/1.1", "HTTP/1.1 200 OK"]
    assert svg.evaluate("s => [...s.querySelectorAll('g.mark text')].map(t => t.textContent)") == ["redirect → /new"]
    shot(page, 4, "diagram-response-tab")


def test_fetch_many_waterfall(lab):
    _, page = lab
    svg = output(page, 5).locator("svg.netbook-waterfall").first
    assert svg.evaluate("s => s.querySelectorAll('g.request').length") == 12  # a row per URL (redirects summed in)
    peak = int(svg.locator("g.concurrency").get_attribute("data-max"))
    assert 2 <= peak <= 3
    assert svg.evaluate("s => s.querySelectorAll('rect.phase[data-phase=wait]').length") >= 12
    shot(page, 5, "diagram-waterfall")
