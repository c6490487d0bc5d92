"""``%fetch`` (curl's flags) and ``%%fetch`` (the ``.http`` file syntax).

Each is a thin shell over ``nb.fetch``.  ``{name}`` interpolates from the
notebook; a value with CR/LF in a request line or header is refused.
"""
from __future__ import annotations

import argparse
from typing import Any

from IPython.core.magic import line_magic, magics_class, no_var_expand

from ..interpolate import interpolate
from ..magicargs import MagicParser, NetbookMagics, named_cell_magic

__all__ = ["FetchMagics", "register"]


def _cell_parser() -> MagicParser:
    p = MagicParser("%%fetch", usage="%%fetch [-o NAME] [-k] [--no-follow] [-m SECONDS] [-x PROXY] [--noproxy HOSTS]")
    p.add_argument("-o", "--output", "--out", dest="out", default=None, metavar="NAME")
    p.add_argument("-k", "--insecure", dest="verify", action="store_false", default=argparse.SUPPRESS)
    p.add_argument("--no-follow", dest="follow_redirects", action="store_false", default=argparse.SUPPRESS)
    p.add_argument("-m", "--max-time", dest="timeout", type=float, default=argparse.SUPPRESS)
    p.add_argument("-x", "--proxy", dest="proxy", default=argparse.SUPPRESS)
    p.add_argument("--noproxy", dest="no_proxy", default=argparse.SUPPRESS)
    return p


def _cell_options(line: str) -> tuple[str | None, dict[str, Any]]:
    """``%%fetch [-o NAME] [-k] [--no-follow] [-m SECONDS] [-x PROXY] [--noproxy HOSTS]``"""
    opts = vars(_cell_parser().parse_line(line))
    out = opts.pop("out")
    if "proxy" in opts:
        opts["proxy"] = opts["proxy"] or False  # -x "": no proxy, as curl
    return out, opts


@magics_class
class FetchMagics(NetbookMagics):
    @no_var_expand
    @line_magic
    def fetch(self, line: str) -> Any:
        """%fetch [curl flags] URL  — e.g. ``%fetch -X POST --json '{"a": 1}' {base}items -o r``

        Flags: -X -H -d --data-urlencode --json -u --digest -L -k -I -G
        -b FILE|'a=1' -c FILE -x PROXY -U USER:PASS --noproxy HOSTS -m SECONDS
        -A -e -f, and -o NAME to store the Response.  Without -x, the
        ``http_proxy`` / ``https_proxy`` / ``all_proxy`` / ``no_proxy``
        variables apply, as in curl.  A pasted ``curl ...`` command works too.
        """
        from .curl import run_curl

        text = interpolate(line, self.user_ns)
        resp, cmd = run_curl(text)
        if cmd.output:
            self.user_ns[cmd.output] = resp
        return resp

    @no_var_expand
    @named_cell_magic("fetch")
    def fetch_cell(self, line: str, cell: str) -> Any:
        """%%fetch [-o NAME] [-k] [--no-follow] [-m SECONDS] [-x PROXY] [--noproxy HOSTS]

        The cell holds requests in the ``.http`` syntax (JetBrains, VS Code
        REST Client): request line, headers, blank line, body; ``###``
        between requests; ``@var = value``; ``{{var}}`` / ``{var}``.  A cell
        starting with ``curl`` runs that command.  Several requests: each is
        shown, the last returned, ``-o NAME`` stores the list.
        """
        from IPython.display import display

        from .client import fetch
        from .httpfile import parse_http_file

        out, opts = _cell_options(interpolate(line, self.user_ns))
        if cell.lstrip().startswith("curl "):
            from .curl import run_curl

            resp, cmd = run_curl(interpolate(cell.strip().replace("\\\n", " "), self.user_ns), **opts)
            if out or cmd.output:
                self.user_ns[out or cmd.output] = resp
            return resp
        requests = parse_http_file(cell, self.user_ns)
        responses = []
        for i, req in enumerate(requests):
            resp = fetch(req.url, req.method, headers=req.headers, data=req.body.encode() if req.body else None,
                         **opts)
            responses.append(resp)
            if i < len(requests) - 1:
                display(resp)
        if out:
            self.user_ns[out] = responses[0] if len(responses) == 1 else responses
        return responses[-1]


def register(ipython: Any) -> None:
    ipython.register_magics(FetchMagics)
