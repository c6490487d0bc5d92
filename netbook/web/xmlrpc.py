"""``nb.xmlrpc(url)``: an XML-RPC client you can look at.

    p = nb.xmlrpc(srv.url)      # shows the method Table (name, signature, help)
    p.add(2, 3)                 # -> 5; list-of-dicts results show as Tables
    b = p.multicall(); b.add(1, 2); b.div(1, 0); b()   # one round trip, a Table
    p.transcript                # the XML on the wire

``_xc.ServerProxy`` underneath, with a transport that parses
responses with defusedxml's protections (entity expansion refused), records
a transcript, and converts DateTime and Binary to ``datetime`` and
``bytes``.  Faults and protocol errors are one-line netbook errors.
Remote methods whose names clash with this object's own attributes
(``methods``, ``multicall``, ``calls``, ``history``, ``transcript``, ``url``,
``close``) are called as ``p.call("methods", ...)``.
"""
from __future__ import annotations

import http.client
import socket
import time
import xmlrpc.client as _xc

from ..connection import Closing, Traced
from ..errors import NetbookError, NetworkError, XMLRPCFault, XMLRPCProtocolError
from ..transcript import Transcript
from ._xmlsafe import DefusedXmlException, explain, getparser

__all__ = ["xmlrpc", "XMLRPC", "XMLRPCFault", "XMLRPCProtocolError", "Records", "MultiCallResult"]


# -- transport -------------------------------------------------------------------------
class _TracedHTTPConnection(Traced, http.client.HTTPConnection):
    pass


class _TracedHTTPSConnection(Traced, http.client.HTTPSConnection):
    pass


class DefusedTransport(_xc.Transport):
    """An xmlrpc Transport: defused parser, transcript, timeout."""

    https = False

    def __init__(self, transcript: Transcript, timeout: float = 30.0, **kwargs):
        super().__init__(use_builtin_types=True, **kwargs)
        self.transcript = transcript
        self.timeout = timeout

    def getparser(self):
        return getparser(use_builtin_types=True)

    def make_connection(self, host):
        if self._connection and host == self._connection[0]:
            return self._connection[1]
        chost, self._extra_headers, x509 = self.get_host_info(host)
        cls = _TracedHTTPSConnection if self.https else _TracedHTTPConnection
        conn = cls(self.transcript, chost, timeout=self.timeout, **(x509 or {}))
        self._connection = host, conn
        return conn


class DefusedSafeTransport(DefusedTransport):
    https = True


# -- results ------------------------------------------------------------------------------
class Records(list):
    """A list of dicts returned by a call: a Table in the notebook."""

    def to_frame(self):
        import pandas as pd

        return pd.DataFrame(list(self))

    def _repr_mimebundle_(self, include=None, exclude=None):
        from ..table import Table

        from ._view import table_bundle

        return table_bundle(Table(self.to_frame(), title=f"{len(self)} records"), list.__repr__(self), include, exclude)


def _convert(value):
    if isinstance(value, _xc.DateTime):
        import datetime

        return datetime.datetime.strptime(value.value, "%Y%m%dT%H:%M:%S")
    if isinstance(value, _xc.Binary):
        return value.data
    if isinstance(value, list):
        items = [_convert(v) for v in value]
        if items and all(isinstance(v, dict) for v in items):
            return Records(items)
        return items
    if isinstance(value, dict):
        return {k: _convert(v) for k, v in value.items()}
    return value


class MultiCallResult(list):
    """Results of a multicall, in order (a Fault is an XMLRPCFault item)."""

    def _text(self) -> str:
        return "\n".join(f"{c} -> {r!r}" for c, r in zip(self.calls, self))

    def _repr_pretty_(self, p, cycle):  # IPython's list printer would win otherwise
        p.text(self._text())

    def __init__(self, calls, results):
        super().__init__(results)
        self.calls = calls

    def to_frame(self):
        import pandas as pd

        rows = []
        for call, r in zip(self.calls, self):
            if isinstance(r, XMLRPCFault):
                rows.append((call, "", f"fault {r.faultCode}: {r.faultString}"))
            else:
                rows.append((call, repr(r), ""))
        return pd.DataFrame(rows, columns=["call", "result", "fault"])

    def _repr_mimebundle_(self, include=None, exclude=None):
        from ..table import Table

        from ._view import table_bundle

        text = self._text()
        return table_bundle(Table(self.to_frame(), title=f"multicall: {len(self)} calls"), text, include, exclude)


def _signature_text(sig) -> str:
    if isinstance(sig, list):
        out = []
        for s in sig:
            if isinstance(s, list) and s:
                out.append(f"{s[0]} ({', '.join(map(str, s[1:]))})")
            else:
                out.append(str(s))
        return "; ".join(out)
    return "" if sig in ("signatures not supported", "") else str(sig)


def _args_text(args) -> str:
    text = ", ".join(repr(a) for a in args)
    return text if len(text) <= 80 else text[:77] + "..."


class _Method:
    def __init__(self, owner: "XMLRPC", name: str):
        self._owner = owner
        self._name = name

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _Method(self._owner, f"{self._name}.{name}")

    def __call__(self, *args):
        return self._owner.call(self._name, *args)

    def __repr__(self):
        return f"<XML-RPC method {self._name} at {self._owner.url}>"


class _Batch:
    """Collects calls for ``system.multicall``; calling it sends them."""

    def __init__(self, owner: "XMLRPC"):
        self._owner = owner
        self._mc = _xc.MultiCall(owner._proxy)
        self._calls: list[str] = []

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        batch = self

        class _Queued:
            def __init__(self, n):
                self.n = n

            def __getattr__(self, sub):
                return _Queued(f"{self.n}.{sub}")

            def __call__(self, *args):
                batch._calls.append(f"{self.n}({_args_text(args)})")
                getattr(batch._mc, self.n)(*args)
                return batch

        return _Queued(name)

    def __len__(self):
        return len(self._calls)

    def __call__(self) -> MultiCallResult:
        raw = self._owner._guard("system.multicall", lambda: self._mc().results)
        # each call must have its one result, in order: a reply with more or
        # fewer, or with an item that is neither [value] nor a fault struct,
        # is malformed (the stdlib's MultiCallIterator says so too)
        if not isinstance(raw, list) or len(raw) != len(self._calls):
            got = f"{len(raw)} results" if isinstance(raw, list) else f"a {type(raw).__name__}"
            raise XMLRPCProtocolError(f"system.multicall: malformed reply: {got} for {len(self._calls)} calls "
                                      f"from {self._owner.url}")
        out = []
        for i, r in enumerate(raw):
            if isinstance(r, dict) and "faultCode" in r:
                out.append(XMLRPCFault("system.multicall", r["faultCode"], r.get("faultString", "")))
            elif isinstance(r, list) and len(r) == 1:
                out.append(_convert(r[0]))
            else:
                raise XMLRPCProtocolError(f"system.multicall: malformed reply: result {i + 1} ({self._calls[i]}) "
                                          f"is {type(r).__name__}, not [value] or a fault")
        return MultiCallResult(list(self._calls), out)


class XMLRPC(Closing):
    """An XML-RPC endpoint: call remote methods as attributes."""

    def __init__(self, url: str, *, timeout: float = 30.0, allow_none: bool = True):
        self.url = url
        self.transcript = Transcript(title=f"xmlrpc {url}")
        transport = (DefusedSafeTransport if url.lower().startswith("https:") else DefusedTransport)(self.transcript, timeout)
        self._proxy = _xc.ServerProxy(url, transport=transport, allow_none=allow_none, use_builtin_types=True)
        self.history: list[tuple] = []  # (method, args, ms, outcome)
        self._methods = None

    # -- calling -----------------------------------------------------------------------
    def _guard(self, method: str, fn):
        try:
            return fn()
        except _xc.Fault as f:
            raise XMLRPCFault(method, f.faultCode, f.faultString) from None
        except _xc.ProtocolError as e:
            raise XMLRPCProtocolError(f"{method}: HTTP {e.errcode} {e.errmsg} from {self.url}") from None
        except DefusedXmlException as e:
            raise XMLRPCProtocolError(f"{method}: {explain(e)}") from None
        except _xc.ResponseError as e:
            raise XMLRPCProtocolError(f"{method}: bad response: {e}") from None
        except (ConnectionError, socket.timeout, TimeoutError, socket.gaierror) as e:
            raise NetworkError(f"{method}: {type(e).__name__}: {e} ({self.url})") from None
        except Exception as e:
            if type(e).__module__.startswith("xml.") or "expat" in type(e).__module__:
                raise XMLRPCProtocolError(f"{method}: {explain(e)}") from None
            raise

    def call(self, method: str, *args):
        """Call ``method`` (any name, dotted too) with ``args``."""
        t0 = time.perf_counter()
        outcome = "ok"
        try:
            result = self._guard(method, lambda: getattr(self._proxy, method)(*args))
            return _convert(result)
        except NetbookError as e:
            outcome = str(e)
            raise
        finally:
            self.history.append((method, _args_text(args), round((time.perf_counter() - t0) * 1000, 3), outcome))

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return _Method(self, name)

    def multicall(self) -> _Batch:
        """A batch: queue calls on it, then call it to send them at once."""
        return _Batch(self)

    def close(self) -> None:
        self._proxy("close")()

    # -- looking at it ------------------------------------------------------------------
    def methods(self, refresh: bool = False):
        """The methods (name, signature, help) as a DataFrame, through
        introspection (one system.multicall when the server has it)."""
        import pandas as pd

        if self._methods is not None and not refresh:
            return self._methods
        names = self.call("system.listMethods")
        try:
            batch = self.multicall()
            for n in names:
                batch.system.methodSignature(n)
                batch.system.methodHelp(n)
            res = batch()
            sigs, helps = res[0::2], res[1::2]
        except NetbookError:
            sigs = [self.call("system.methodSignature", n) for n in names]
            helps = [self.call("system.methodHelp", n) for n in names]
        rows = []
        for n, s, h in zip(names, sigs, helps):
            s = "" if isinstance(s, XMLRPCFault) else _signature_text(s)
            h = "" if isinstance(h, XMLRPCFault) else " ".join(str(h).split())
            rows.append((n, s, h))
        self._methods = pd.DataFrame(rows, columns=["name", "signature", "help"])
        return self._methods

    def to_frame(self):
        return self.methods()

    def calls(self):
        """The calls made so far (method, args, ms, outcome) as a DataFrame."""
        import pandas as pd

        return pd.DataFrame(self.history, columns=["method", "args", "ms", "outcome"])

    def __repr__(self) -> str:
        try:
            from ..table.source import DataFrameSource
            from ..table.static import static_text

            return static_text(DataFrameSource(self.methods()), rows=50, title=f"XML-RPC {self.url}", width=60)
        except NetbookError as e:
            return f"<XML-RPC {self.url}: introspection unavailable ({e})>"

    def _repr_mimebundle_(self, include=None, exclude=None):
        from ..table import Table

        try:
            df = self.methods()
        except NetbookError as e:
            return {"text/plain": repr(self), "text/html": f"<div>XML-RPC {_esc(self.url)}: {_esc(e)}</div>"}
        from ._view import table_bundle

        return table_bundle(Table(df, title=f"XML-RPC {self.url}"), repr(self), include, exclude)




def _esc(s) -> str:
    import html

    return html.escape(str(s))


def xmlrpc(url: str, **options) -> XMLRPC:
    """A client for the XML-RPC endpoint at ``url`` (see :class:`XMLRPC`)."""
    return XMLRPC(url, **options)
