"""netbook's one interactive table: ``Table`` over any ``Source``."""
from .source import (
    Column,
    DataFrameSource,
    Filter,
    LazySource,
    Page,
    Source,
    StreamSource,
    as_source,
)
from .widget import Table

__all__ = [
    "Table", "Source", "Column", "Filter", "Page",
    "DataFrameSource", "LazySource", "StreamSource", "as_source",
]
