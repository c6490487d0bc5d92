"""``python -m netbook``: see :mod:`netbook.cli`."""
from .cli import main

raise SystemExit(main())
