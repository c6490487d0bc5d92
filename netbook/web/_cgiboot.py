"""Runs a CGI script and, if it raises, writes a cgitb report as JSON.

This file is self-contained on purpose: the CGI gateway passes its source to
``python -c`` (so the script's ``sys.path[0]`` is the script's own folder,
never netbook's), and :func:`netbook.web.cgi.report` imports :func:`build`
for exceptions raised in the kernel.

    python -c "<this source>" REPORT.json SCRIPT.py
"""
import json
import os
import re
import reprlib
import sys
import traceback
import warnings

_SECRET = re.compile(r"pass|secret|token|auth|cookie|key|credential", re.I)
_MASK = "••••"


def _short(value) -> str:
    r = reprlib.Repr()
    r.maxstring = 120
    r.maxother = 120
    r.maxlist = r.maxdict = r.maxtuple = r.maxset = 8
    try:
        return r.repr(value)
    except Exception as e:  # a __repr__ that raises
        return f"<unrepresentable {type(value).__name__}: {e}>"


def _frames(tb, secrets: set):
    rows = []
    while tb is not None:
        frame, lineno = tb.tb_frame, tb.tb_lineno
        code = frame.f_code
        try:
            import linecache

            source = linecache.getline(code.co_filename, lineno, frame.f_globals).strip()
        except Exception:
            source = ""
        local_vars = {}
        for name, value in list(frame.f_locals.items())[:40]:
            if name.startswith("__") and name.endswith("__"):
                continue
            if callable(value) or type(value).__name__ == "module":
                continue  # functions, classes, modules: noise (and memory addresses)
            if _SECRET.search(name):
                local_vars[name] = _MASK
                _remember(value, secrets)
            else:
                local_vars[name] = _short(value)
        rows.append({"file": code.co_filename, "line": lineno, "function": code.co_name,
                     "source": source, "locals": local_vars})
        tb = tb.tb_next
    return rows


def _remember(value, secrets: set) -> None:
    """Every spelling of a secret value cgitb may print (repr, str, escaped)."""
    import html
    import pydoc

    forms = {repr(value), str(value)}
    try:
        forms.add(pydoc.html.repr(value))
        forms.add(pydoc.text.repr(value))
    except Exception:
        pass
    forms |= {html.escape(f) for f in list(forms)} | {html.escape(f, quote=False) for f in list(forms)}
    secrets.update(f for f in forms if len(f) >= 4)


def _mask(text: str, secrets: set) -> str:
    for s in sorted(secrets, key=len, reverse=True):
        text = text.replace(s, _MASK)
    return text


def build(info, context: int = 5) -> dict:
    """A report of ``info`` (a ``sys.exc_info()`` triple): cgitb's HTML and
    text, the frames (file, line, function, source, locals) and the one-line
    exception.  The values of locals named like secrets (password, token,
    key, auth, cookie...) are masked everywhere they would be printed."""
    etype, evalue, tb = info
    secrets: set = set()
    frames = _frames(tb, secrets)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            import cgitb
        page = cgitb.html(info, context=context)
        text = cgitb.text(info, context=context)
    except Exception:  # cgitb itself failed: fall back to the plain traceback
        text = "".join(traceback.format_exception(etype, evalue, tb))
        import html

        page = "<pre>" + html.escape(text) + "</pre>"
    return {
        "exception": "".join(traceback.format_exception_only(etype, evalue)).strip().splitlines()[-1],
        "frames": frames,
        "html": _mask(page, secrets),
        "text": _mask(text, secrets),
        "traceback": _mask("".join(traceback.format_exception(etype, evalue, tb)), secrets),
    }


def _main(argv):
    report_path, script = argv[1], argv[2]
    sys.argv = [script]
    sys.path[0] = os.path.dirname(os.path.abspath(script))
    import runpy

    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit:
        raise
    except BaseException:
        etype, evalue, tb = sys.exc_info()
        mine = os.path.abspath(script)
        start = tb
        while start is not None and start.tb_frame.f_code.co_filename != mine:
            start = start.tb_next
        info = (etype, evalue, start or tb)  # from the script's own frame on
        try:
            report = build(info)
            with open(report_path, "w", encoding="utf-8") as f:
                json.dump(report, f)
        finally:
            traceback.print_exception(*info)
        sys.exit(1)
    finally:
        try:
            sys.stdout.flush()
        except Exception:
            pass


if __name__ == "__main__":
    _main(sys.argv)
