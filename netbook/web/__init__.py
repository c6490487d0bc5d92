"""Web and RPC in a notebook: WSGI in-process (``nb.wsgi``), CGI forms and
cgitb-style reports (``nb.cgi``), an XML-RPC client (``nb.xmlrpc``) and
opening pages in the user's own browser (``nb.browse``).  The matching lab
servers are ``nb.serve.http/.wsgi/.cgi/.tcp/.udp/.xmlrpc``."""
