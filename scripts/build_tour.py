"""Write notebooks/00-tour.ipynb from the cells below (then execute it with
nbconvert to store outputs).  Keeping the tour as code makes merges easy."""
import pathlib

import nbformat

md = nbformat.v4.new_markdown_cell
code = nbformat.v4.new_code_cell

CELLS = [
    md("# netbook tour\n\n"
       "Python's Internet protocols as things to **look at** (interactive tables), **compute on** "
       "(pandas DataFrames) and **replay** (wire transcripts), each with a **lab server** one cell away. "
       "Everything here runs offline, on 127.0.0.1."),
    code("import netbook as nb\nimport numpy as np, pandas as pd\n%load_ext netbook"),
    md("## A lab server in one cell\n\n"
       "`nb.serve.http(folder)` serves files on a free loopback port. Re-running the cell replaces the "
       "server instead of failing with *address in use*; every server is stopped when the kernel exits."),
    code("import pathlib, tempfile\n"
         "site = pathlib.Path(tempfile.mkdtemp())\n"
         "(site / 'hello.txt').write_text('hello, netbook\\n')\n"
         "(site / 'index.html').write_text('<h1>netbook</h1>')\n"
         "srv = nb.serve.http(site)\n"
         "srv.url"),
    code("import urllib.request\n"
         "for path in ['', 'hello.txt', 'missing.txt']:\n"
         "    try:\n"
         "        urllib.request.urlopen(srv.url + path).read()\n"
         "    except urllib.error.HTTPError as e:\n"
         "        print(path, e.code, e.reason)"),
    md("The server's log is a live table: it grows while you watch."),
    code("srv"),
    md("Every conversation is kept as a **transcript**: what really crossed the wire, line by line "
       "(secrets like `Authorization` or cookies are masked unless you ask)."),
    code("srv.transcripts[-1]"),
    code("srv.log.to_frame()[['request', 'status', 'bytes']]"),
    md("## One table for everything\n\n"
       "`nb.Table` pages, sorts and filters any source on the Python side; the browser only ever "
       "receives the visible page, so a million rows feel like ten. Click a header to sort "
       "(shift+click adds a column), type in the filter boxes, select rows."),
    code("rng = np.random.default_rng(7)\n"
         "n = 1_000_000\n"
         "requests = pd.DataFrame({\n"
         "    'id': np.arange(n),\n"
         "    'host': rng.choice(['alpha.example', 'beta.example', 'gamma.example'], n),\n"
         "    'status': rng.choice([200, 301, 404, 500], n, p=[0.85, 0.05, 0.08, 0.02]),\n"
         "    'bytes': rng.integers(100, 5_000_000, n),\n"
         "    'ok': rng.random(n) < 0.9,\n"
         "})\n"
         "table = nb.Table(requests, formats={'bytes': 'size'}, title='a million requests')\n"
         "table"),
    code("table.sort_by('-bytes').filter(status='404')\n"
         "table.page_frame.head(3)"),
    code("table.selected = table.row_keys[:2]\n"
         "table.selected"),
    md("A source can be *lazy*: rows computed on demand. This one has 2**32 rows and pages instantly."),
    code("squares = nb.LazySource(2**32, [nb.Column('i', 'int'), nb.Column('square', 'int')],\n"
         "                        lambda a, b: [(i, i * i) for i in range(a, b)], title='2**32 squares')\n"
         "nb.Table(squares)"),
    md("## Servers, listed and stopped\n\n`nb.servers()` and `%serve list` show what runs; `%serve stop all` stops it."),
    code("%serve list"),
    code("%serve stop all"),
]


def build(path="notebooks/00-tour.ipynb"):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.cells = CELLS
    pathlib.Path(path).write_text(nbformat.writes(nb))


if __name__ == "__main__":
    build()
