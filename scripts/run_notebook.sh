#!/bin/bash
# Execute notebooks in place (storing outputs for nbval) and drop the saved
# widget state (it holds each widget's ES module; outputs are what nbval reads).
# usage: scripts/run_notebook.sh notebooks/NN-name.ipynb ...   (PY=path/to/python)
set -euo pipefail
PY=${PY:-.venv/bin/python}; PY="$(cd "$(dirname "$PY")" && pwd)/$(basename "$PY")"
for nbpath in "$@"; do
  (cd "$(dirname "$nbpath")" && "$PY" -m jupyter nbconvert --to notebook --execute --inplace \
      --NotebookClient.store_widget_state=False "$(basename "$nbpath")")
  "$PY" - "$nbpath" <<'PYEOF'
import sys, nbformat
p = sys.argv[1]
nb = nbformat.read(p, as_version=4)
nb.metadata.pop("widgets", None)
nbformat.write(nb, p)
PYEOF
done
