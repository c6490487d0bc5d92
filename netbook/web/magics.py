"""Magics of the web family: ``%browse URL`` (a thin shell over nb.browse)."""
from __future__ import annotations

from IPython.core.magic import line_magic, magics_class, no_var_expand

from ..magicargs import NetbookMagics


@magics_class
class WebMagics(NetbookMagics):
    @no_var_expand
    @line_magic
    def browse(self, line: str):
        """%browse URL  -- open URL in your own browser (a link in a notebook)."""
        from ..interpolate import interpolate
        from .browse import browse

        url = interpolate(line, self.user_ns).strip()
        if not url:
            return browse.controllers()
        return browse(url)


def register(ipython) -> None:
    ipython.register_magics(WebMagics)
