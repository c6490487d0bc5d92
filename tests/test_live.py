"""Static fallbacks follow the live view: a Table shown in one cell and
changed by later cells (rows appended, sorted) is saved, by nbclient, with
its last state; the widget model in the output stays the same."""
from __future__ import annotations

import os

import nbformat
import pytest
from nbclient import NotebookClient

CELLS = [
    "%load_ext netbook\nimport netbook as nb\nimport pandas as pd",
    "log = nb.StreamSource(['n', 'word'], title='words')\nt = nb.Table(log)\nt",
    "for i in range(3):\n    log.append((i, f'w{i}'))\nt.flush()",
    "big = nb.Table(pd.DataFrame({'x': range(1000)}), title='big')\nbig",
    "big.sort_by('-x')\nsame = nb.Table(pd.DataFrame({'y': [1]}), title='unchanged')\nsame",
    "closed = nb.Table(pd.DataFrame({'z': [1]}), title='closed')\nclosed",
    "srv = nb.serve.http('.', name='live-http')\nsrv",
    "for _ in range(3):\n    nb.fetch(srv.url)",
    "closed.close()\nimport json, netbook.live as L\nprint(json.dumps([s['title'] for s in L.snapshot()]))",
    "srv.stop()",
]


def _run(tmp_path, live: str, monkeypatch):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(c) for c in CELLS]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    monkeypatch.setenv("NETBOOK_LIVE_STATIC", live)  # the kernel inherits the environment
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH", "")) if p))
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    return nb


def _out(nb, i):
    (o,) = nb.cells[i].outputs
    return o


@pytest.mark.timeout(300)
def test_saved_outputs_show_the_last_state(tmp_path, monkeypatch):
    nb = _run(tmp_path, "1", monkeypatch)
    words = _out(nb, 1)
    assert words.output_type == "display_data" and words.metadata == {"netbook": {"live": True}}
    assert "3 rows × 2 columns" in words.data["text/html"] and "w2" in words.data["text/html"]
    assert words.data["text/plain"].startswith("words: 3 rows")
    big = _out(nb, 3).data["text/plain"].splitlines()
    assert big[0] == "big: 1,000 rows × 1 columns" and big[2].strip() == "999"  # sorted as last seen
    assert _out(nb, 4).metadata == {}  # never changed: never rewritten
    assert "z" in _out(nb, 5).data["text/html"]  # closed: keeps what it showed
    server = _out(nb, 6).data  # a server's log, filled by later cells; its badge follows stop()
    assert "3 rows × 7 columns" in server["text/html"] and ">stopped</span>" in server["text/html"]
    assert "live-http log" in server["text/html"] and "— 3 requests" in server["text/plain"]
    assert _out(nb, 8).text.strip() == '["words", "big", "unchanged", "live-http"]'
    # the widget is the one displayed first (same model id): the live view is not replaced
    ids = {o.data["application/vnd.jupyter.widget-view+json"]["model_id"] for o in (words,)}
    assert len(ids) == 1


@pytest.mark.timeout(300)
def test_turned_off_each_output_is_as_its_cell_made_it(tmp_path, monkeypatch):
    nb = _run(tmp_path, "0", monkeypatch)
    words = _out(nb, 1)
    assert "0 rows × 2 columns" in words.data["text/html"] and not words.metadata
