"""Vectorised helpers shared by the column modules (``nb.ip``, ``nb.uuid``).

A neutral home, so one column family does not reach into another's kernels.
"""
from __future__ import annotations

import numpy as np

__all__ = ["HEXVAL"]

# byte -> its hexadecimal digit value (either case), 255 for a non-digit;
# ``HEXVAL[np.frombuffer(text, np.uint8)]`` decodes a buffer of hex at once.
HEXVAL = np.full(256, 255, dtype=np.uint8)
for _c in b"0123456789":
    HEXVAL[_c] = _c - 48
for _c in b"abcdef":
    HEXVAL[_c] = _c - 87
    HEXVAL[_c - 32] = _c - 87
del _c
