#!/bin/bash
# Execute notebooks in place (storing outputs for nbval) and drop the saved
# widget state (it holds each widget's ES module; outputs are what nbval reads).
# NETBOOK_LIVE_STATIC=0: each output is stored as its own cell produced it (nbval
# does not apply later update_display_data; tests/test_lab_exports.py checks them).
# usage: scripts/run_notebook.sh notebooks/NN-name.ipynb ...   (PY=path/to/python)
set -euo pipefail
PY=${PY:-.venv/bin/python}; PY="$(cd "$(dirname "$PY")" && pwd)/$(basename "$PY")"
for nbpath in "$@"; do
  (cd "$(dirname "$nbpath")" && NETBOOK_LIVE_STATIC=0 "$PY" -m jupyter nbconvert --to notebook --execute --inplace \
      --NotebookClient.store_widget_state=False "$(basename "$nbpath")")
  "$PY" - "$nbpath" <<'PYEOF'
import sys, nbformat
p = sys.argv[1]
nb = nbformat.read(p, as_version=4)
nb.metadata.pop("widgets", None)
nbformat.write(nb, p)
PYEOF
done
