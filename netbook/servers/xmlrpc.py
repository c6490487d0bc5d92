"""``serve.xmlrpc(*functions_or_instance)``: an XML-RPC service.

``xmlrpc.server``'s DocXMLRPCServer, threaded: introspection
(``system.listMethods``, ``system.methodSignature``, ``system.methodHelp``),
``system.multicall``, and its pydoc documentation page at ``/`` (GET).
Requests are parsed with defusedxml's protections (entity expansion,
external entities refused: the caller gets a Fault, the server goes on);
bodies are bounded (413).  Each call is one log row: method, and the fault
if there was one.  HTTP/1.1 with keep-alive: ``xmlrpc.client.ServerProxy``
reuses its connection between calls; a request whose body cannot be read
to its end (no Content-Length, chunked, refused) is answered with
``Connection: close``, so the next request never starts inside a body.
"""
from __future__ import annotations

import datetime
import inspect
import threading
from xmlrpc.client import Fault, dumps
from xmlrpc.server import DocXMLRPCRequestHandler, DocXMLRPCServer

from ..web._xmlsafe import explain, loads
from .base import SocketServerLab
from ._httpcommon import HTTPLogMixin, ThreadingLabHTTPServer

__all__ = ["serve", "XMLRPCLab"]

_XMLRPC_TYPES = {
    int: "int", float: "double", str: "string", bool: "boolean", list: "array", tuple: "array",
    dict: "struct", bytes: "base64", datetime.datetime: "dateTime.iso8601", type(None): "nil",
}


def _eval_name(annotation):
    """A string annotation (``from __future__ import annotations``) -> its type, if simple."""
    if isinstance(annotation, str):
        return {"int": int, "float": float, "str": str, "bool": bool, "list": list, "tuple": tuple, "dict": dict,
                "bytes": bytes, "datetime": datetime.datetime, "datetime.datetime": datetime.datetime,
                "None": type(None)}.get(annotation)
    if annotation is None:
        return type(None)
    return None


class LabXMLRPCServer(ThreadingLabHTTPServer, DocXMLRPCServer):
    def __init__(self, address, handler, **kwargs):
        self._tls = threading.local()
        DocXMLRPCServer.__init__(self, address, handler, logRequests=True, allow_none=True,
                                 use_builtin_types=True, **kwargs)

    def _callable(self, method_name):
        func = self.funcs.get(method_name)
        if func is None and self.instance is not None and not hasattr(self.instance, "_dispatch"):
            func = getattr(self.instance, method_name, None) if "." not in method_name else None
        return func

    def system_methodSignature(self, method_name):
        """system.methodSignature('add') => [['int', 'int', 'int']]

        The XML-RPC types of the result and parameters, from the Python
        annotations of a fully annotated method."""
        func = self._callable(method_name)
        if func is None or method_name.startswith("system."):
            return "signatures not supported"
        try:
            sig = inspect.signature(func)
        except (TypeError, ValueError):
            return "signatures not supported"
        types = [sig.return_annotation] + [p.annotation for p in sig.parameters.values()]
        names = [_XMLRPC_TYPES.get(t if isinstance(t, type) else _eval_name(t)) for t in types]
        if any(n is None for n in names):
            return "signatures not supported"
        return [names]

    def system_methodHelp(self, method_name):
        # the docstring, led by the Python signature when there is one (free text per the spec)
        doc = super().system_methodHelp(method_name)
        func = self._callable(method_name)
        if func is not None and not method_name.startswith("system."):
            try:
                return f"{method_name}{inspect.signature(func)}" + (f": {doc}" if doc else "")
            except (TypeError, ValueError):
                pass
        return doc

    def _marshaled_dispatch(self, data, dispatch_method=None, path=None):
        # SimpleXMLRPCDispatcher._marshaled_dispatch, with defused parsing and
        # the outcome kept for the log row
        self._tls.info = ""
        method = None
        try:
            try:
                params, method = loads(data, use_builtin_types=self.use_builtin_types)
            except Exception as e:  # refused or malformed XML: a Fault, never a crash
                raise Fault(1, explain(e)) from None
            if dispatch_method is not None:
                response = dispatch_method(method, params)
            else:
                response = self._dispatch(method, params)
            response = dumps((response,), methodresponse=1, allow_none=self.allow_none, encoding=self.encoding)
            self._tls.info = f"{method}"
        except Fault as fault:
            response = dumps(fault, allow_none=self.allow_none, encoding=self.encoding)
            self._tls.info = f"{method or '?'}: fault {fault.faultCode}: {fault.faultString}"[:500]
        except BaseException as exc:
            response = dumps(Fault(1, f"{type(exc)}:{exc}"), encoding=self.encoding, allow_none=self.allow_none)
            self._tls.info = f"{method or '?'}: fault 1: {type(exc).__name__}: {exc}"[:500]
        return response.encode(self.encoding or "utf-8", "xmlcharrefreplace")


class LabXMLRPCRequestHandler(HTTPLogMixin, DocXMLRPCRequestHandler):
    server_version = "netbook-xmlrpc"
    protocol_version = "HTTP/1.1"  # keep-alive: ServerProxy reuses its connection

    def send_error(self, code, message=None, explain=None):
        # an error answered before the request body was read: the connection
        # cannot be reused (the unread body would be taken for the next request)
        self.close_connection = True
        super().send_error(code, message, explain)

    def do_POST(self):
        if self.headers.get("Transfer-Encoding"):
            self._detail = "refused: chunked request body (XML-RPC clients send Content-Length)"
            self.send_error(411, "Length Required")
            return
        raw_length = self.headers.get("Content-Length")
        if raw_length is None:
            self.send_error(411, "Length Required")
            return
        try:
            length = int(raw_length)
        except ValueError:
            length = -1
        if length < 0:
            self.send_error(400, "Bad Content-Length")
            return
        if length > self.server.lab.max_body:
            self._detail = f"refused: body of {length:,} bytes over max_body"
            self.close_connection = True
            self.send_error(413)
            return
        if not self.is_rpc_path_valid():
            self.rfile.read(length)  # bounded by max_body above; keeps the connection usable
        self.server._tls.info = ""
        super().do_POST()
        self._detail = self._detail or getattr(self.server._tls, "info", "")

    def do_GET(self):
        self._detail = "documentation page"
        if self.headers.get("Transfer-Encoding") or (self.headers.get("Content-Length") or "0").strip() != "0":
            self.close_connection = True  # a GET with a body: not read, so not reusable
        super().do_GET()


class XMLRPCLab(SocketServerLab):
    kind = "xmlrpc"
    scheme = "http"

    def __init__(self, *targets, name=None, host="127.0.0.1", port=0, title=None, max_body=10 << 20,
                 allow_dotted_names=False):
        super().__init__(name=name, host=host, port=port)
        self.targets = targets
        self.title = title
        self.max_body = int(max_body)
        self.allow_dotted_names = allow_dotted_names
        instances = [t for t in targets if not (inspect.isroutine(t) or isinstance(t, type))]
        if len(instances) > 1:
            raise TypeError("serve.xmlrpc: at most one instance (its public methods are served) besides functions")

    @property
    def url(self) -> str:
        return super().url + "RPC2"

    @property
    def doc_url(self) -> str:
        return super().url

    def make_server(self, address):
        srv = LabXMLRPCServer(address, LabXMLRPCRequestHandler)
        srv.register_introspection_functions()
        srv.register_multicall_functions()
        for t in self.targets:
            if inspect.isroutine(t):
                srv.register_function(t)
            else:
                srv.register_instance(t, allow_dotted_names=self.allow_dotted_names)
                doc = inspect.getdoc(t)
                if doc:
                    srv.set_server_documentation(doc)
        title = self.title or f"netbook XML-RPC service {self.name!r}"
        srv.set_server_title(title)
        srv.set_server_name(title)
        return srv


def serve(*functions_or_instance, name=None, host="127.0.0.1", port=0, title=None, max_body=10 << 20,
          allow_dotted_names=False) -> XMLRPCLab:
    """Serve functions (and/or one instance's public methods) over XML-RPC.

    ``.url`` is the endpoint (``.../RPC2``; ``/`` works too), ``.doc_url``
    the documentation page.  ``nb.xmlrpc(srv.url)`` is the client.
    """
    return XMLRPCLab(*functions_or_instance, name=name, host=host, port=port, title=title, max_body=max_body,
                     allow_dotted_names=allow_dotted_names).start()
