"""netbook's one interactive table: ``Table`` over any ``Source``."""
from .frame import DataFrameSource, as_source
from .source import Column, Filter, LazySource, Page, Source
from .stream import StreamSource
from .widget import Table

__all__ = [
    "Table", "Source", "Column", "Filter", "Page",
    "DataFrameSource", "LazySource", "StreamSource", "as_source",
]
