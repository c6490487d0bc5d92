"""Each lab executed and exported with nbconvert: the static tables in the
HTML are the final live state (a server log filled by later cells, a table
sorted later), not the snapshot of the moment their cell ran."""
from __future__ import annotations

import json
import os
import pathlib
import re
import shutil

import nbformat
import pytest

NOTEBOOKS = pathlib.Path(__file__).resolve().parents[1] / "notebooks"
LABS = sorted(p.name for p in NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))
FINAL = ("import json as _json, netbook.live as _live\n"
         "_live.refresh(force=True)\n"
         "print('NETBOOK-LIVE ' + _json.dumps(_live.snapshot()))")


def _execute(tmp_path: pathlib.Path, name: str, monkeypatch):
    from nbclient import NotebookClient

    shutil.copy(NOTEBOOKS / name, tmp_path / name)
    nb = nbformat.read(tmp_path / name, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(FINAL))
    root = str(NOTEBOOKS.parent)
    monkeypatch.setenv("NETBOOK_LIVE_STATIC", "1")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH", "")) if p))
    # no widget state, as JupyterLab saves by default: the export shows each output's static text/html
    NotebookClient(nb, timeout=300, kernel_name="python3", store_widget_state=False,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    (out,) = [o for o in nb.cells[-1].outputs if o.output_type == "stream" and "NETBOOK-LIVE " in o.text]
    live = json.loads(out.text.split("NETBOOK-LIVE ", 1)[1])
    return nb, live


def _footers(html: str) -> list[str]:
    return re.findall(r"<div class='netbook-foot'>([^<]*)</div>", html)


@pytest.mark.timeout(900)
@pytest.mark.parametrize("name", LABS)
def test_export_shows_the_final_live_state(name, tmp_path, monkeypatch):
    from nbconvert import HTMLExporter

    nb, live = _execute(tmp_path, name, monkeypatch)
    body, _ = HTMLExporter().from_notebook_node(nb)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if "data" in o]
    saved = [o.data.get("text/html", "") for o in outputs]
    for item in live:
        # the saved output of every live view holds its current static HTML, and the export shows it
        assert item["html"] in saved, f"{name}: {item['title']!r} saved as an older snapshot"
        for foot in _footers(item["html"]):
            assert foot in body, f"{name}: {item['title']!r} exported without {foot!r}"
    if name.startswith("01-http"):
        api = next(i for i in live if i["title"] == "api")
        n = int(re.search(r"— (\d+) requests", api["text"]).group(1))
        assert n > 20 and ">stopped</span>" in api["html"]
        (foot,) = _footers(api["html"])  # "44 rows × 7 columns (first 10 shown)", not "0 rows"
        assert foot.startswith(f"{n:,} rows × 7 columns") and foot in body
