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

import shlex

from IPython.core.magic import Magics, line_magic, magics_class, no_var_expand

from ..interpolate import interpolate

__all__ = ["register", "parse_line"]

_OPTS = {"--subnets": "subnets", "--count": "count", "--plan": "plan", "--exclude": "exclude", "-o": "out", "--out": "out"}


def parse_line(line: str) -> tuple[str, dict, str | None]:
    """``(spec, keyword arguments for ipnet, output variable)``."""
    from .subnet import IPNetError

    try:
        args = shlex.split(line, comments=True)  # '# ...' ends the line, as in Python
    except ValueError as e:
        raise IPNetError(f"%ipnet: {e}") from None
    spec, kw, out = [], {}, None
    it = iter(args)
    for a in it:
        key = a.split("=", 1)[0]
        if key in _OPTS:
            val = a.split("=", 1)[1] if "=" in a else next(it, None)
            if val is None:
                raise IPNetError(f"%ipnet: {key} needs a value")
            name = _OPTS[key]
            if name == "out":
                out = val
            elif name in ("subnets", "count"):
                try:
                    kw[name] = int(val.lstrip("/"))
                except ValueError:
                    raise IPNetError(f"%ipnet: {key} takes a number (got {val!r})") from None
            elif name == "plan":
                try:
                    kw[name] = [int(x) for x in val.replace(",", " ").split()]
                except ValueError:
                    raise IPNetError(f"%ipnet: --plan takes host counts like 120,60,30 (got {val!r})") from None
            else:
                kw[name] = val
        elif a in ("--loose", "--no-strict"):
            kw["strict"] = False
        elif a == "--rfc3021":
            kw["rfc3021"] = True
        elif a.startswith("--"):
            raise IPNetError(f"%ipnet: unknown option {a}; options: --subnets --count --plan --exclude --loose --rfc3021 -o")
        else:
            spec.append(a)
    return " ".join(spec), kw, out


@magics_class
class IPMagics(Magics):
    @no_var_expand
    @line_magic
    def ipnet(self, line: str):
        """%ipnet SPEC [--subnets P | --count N | --plan H,H,.. [--rfc3021] | --exclude NET] [--loose] [-o VAR]"""
        from .view import ipnet

        spec, kw, out = parse_line(interpolate(line, self.shell.user_ns))
        result = ipnet(spec, **kw)
        if out:
            self.shell.user_ns[out] = result
        return result


def register(ipython) -> None:
    ipython.register_magics(IPMagics)
    # After %load_ext netbook, df["client"].ip / .uuid and the "ip"/"ipnet"
    # dtype names work without touching nb.ip first (import netbook itself
    # stays free of pandas).
    import importlib

    for mod in ("netbook.ip.columns", "netbook.uuids"):
        try:
            importlib.import_module(mod)
        except ImportError:  # pragma: no cover - pandas missing
            pass
