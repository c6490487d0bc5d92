"""``nb.http.waterfall(x)``: a timing waterfall of a Response, a Session,
the fetch_many DataFrame, a HAR dict or a HAR file (drawn by netbook.diagram)."""
from __future__ import annotations

from ..diagram.waterfall import Waterfall, waterfall

__all__ = ["waterfall", "Waterfall"]
