"""``%ipnet``: a thin shell over :func:`netbook.ipnet`.

    %ipnet 192.168.0.0/22                     summary + hosts (lazy)
    %ipnet 10.0.0.0/22 --subnets 26           subnet table + address map
    %ipnet 10.0.0.0/22 --count 8
    %ipnet 10.0.0.0/24 --plan 120,60,30,10    VLSM, largest first (--rfc3021: /31 links)
    %ipnet 10.0.0.0/8 --exclude 10.1.0.0/16   address_exclude
    %ipnet 10.0.0.5 - 10.0.0.20               summarize_address_range
    %ipnet 10.0.0.0/24 10.0.1.0/24            collapse_addresses
    %ipnet 10.1.2.3 in 10.0.0.0/8 192.168.0.0/16
    %ipnet 10.1.2.3/24                        an interface
    %ipnet {net} --subnets {p} -o result      {name} from the notebook; -o stores the result
"""
from __future__ import annotations

import argparse
from typing import Any

from IPython.core.magic import line_magic, magics_class, no_var_expand

from ..interpolate import interpolate
from ..magicargs import MagicParser, NetbookMagics, split, store

__all__ = ["register", "parse_line"]

USAGE = "%ipnet SPEC [--subnets P | --count N | --plan H,H,.. [--rfc3021] | --exclude NET] [--loose] [-o VAR]"


def _number(val: str) -> int:
    try:
        return int(val.lstrip("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"takes a number (got {val!r})") from None


def _plan(val: str) -> list[int]:
    try:
        return [int(x) for x in val.replace(",", " ").split()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"takes host counts like 120,60,30 (got {val!r})") from None


def _parser() -> MagicParser:
    p = MagicParser("%ipnet", usage=USAGE)
    p.add_argument("spec", nargs="*")
    p.add_argument("--subnets", type=_number, default=argparse.SUPPRESS)
    p.add_argument("--count", type=_number, default=argparse.SUPPRESS)
    p.add_argument("--plan", type=_plan, default=argparse.SUPPRESS)
    p.add_argument("--exclude", default=argparse.SUPPRESS)
    p.add_argument("--loose", "--no-strict", dest="strict", action="store_false", default=argparse.SUPPRESS)
    p.add_argument("--rfc3021", action="store_true", default=argparse.SUPPRESS)
    p.add_output()
    return p


def parse_line(line: str) -> tuple[str, dict[str, Any], str | None]:
    """``(spec, keyword arguments for ipnet, output variable)``; ``# ...`` ends the line."""
    kw = vars(_parser().parse_intermixed_args(split(line, "%ipnet", comments=True)))
    spec = kw.pop("spec")
    out = kw.pop("out")
    return " ".join(spec), kw, out


@magics_class
class IPMagics(NetbookMagics):
    @no_var_expand
    @line_magic
    def ipnet(self, line: str) -> Any:
        """%ipnet SPEC [--subnets P | --count N | --plan H,H,.. [--rfc3021] | --exclude NET] [--loose] [-o VAR]"""
        from .view import ipnet

        spec, kw, out = parse_line(interpolate(line, self.user_ns))
        return store(self.user_ns, out, ipnet(spec, **kw))


def register(ipython: Any) -> None:
    ipython.register_magics(IPMagics)
    # After %load_ext netbook the "ip"/"ipnet" dtype names work without
    # touching nb.ip first (the .ip/.uuid accessors need no import: see
    # netbook/_accessors.py; import netbook itself stays free of pandas).
    import importlib

    for mod in ("netbook.ip.columns", "netbook.uuids"):
        try:
            importlib.import_module(mod)
        except ImportError:  # pragma: no cover - pandas missing
            pass
