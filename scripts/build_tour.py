"""Write notebooks/00-tour.ipynb from the cells below (then execute it with
nbconvert to store outputs).  Keeping the tour as code makes merges easy."""
import pathlib

import nbformat

md = nbformat.v4.new_markdown_cell
code = nbformat.v4.new_code_cell

CELLS = [
    md("# netbook tour\n\n"
       "Python's Internet protocols as things to **look at** (interactive tables), **compute on** "
       "(pandas DataFrames) and **replay** (wire transcripts), each with a **lab server** one cell away. "
       "Everything here runs offline, on 127.0.0.1."),
    code("import netbook as nb\nimport numpy as np, pandas as pd\n%load_ext netbook"),
    md("## A lab server in one cell\n\n"
       "`nb.serve.http(folder)` serves files on a free loopback port. Re-running the cell replaces the "
       "server instead of failing with *address in use*; every server is stopped when the kernel exits."),
    code("import pathlib, tempfile\n"
         "site = pathlib.Path(tempfile.mkdtemp())\n"
         "(site / 'hello.txt').write_text('hello, netbook\\n')\n"
         "(site / 'index.html').write_text('<h1>netbook</h1>')\n"
         "srv = nb.serve.http(site)\n"
         "srv.url"),
    code("import urllib.request\n"
         "for path in ['', 'hello.txt', 'missing.txt']:\n"
         "    try:\n"
         "        urllib.request.urlopen(srv.url + path).read()\n"
         "    except urllib.error.HTTPError as e:\n"
         "        print(path, e.code, e.reason)"),
    md("The server's log is a live table: it grows while you watch."),
    code("srv"),
    md("Every conversation is kept as a **transcript**: what really crossed the wire, line by line "
       "(secrets like `Authorization` or cookies are masked unless you ask)."),
    code("srv.transcripts[-1]"),
    code("srv.log.to_frame()[['request', 'status', 'bytes']]"),
    md("## One table for everything\n\n"
       "`nb.Table` pages, sorts and filters any source on the Python side; the browser only ever "
       "receives the visible page, so a million rows feel like ten. Click a header to sort "
       "(shift+click adds a column), type in the filter boxes, select rows."),
    code("rng = np.random.default_rng(7)\n"
         "n = 1_000_000\n"
         "requests = pd.DataFrame({\n"
         "    'id': np.arange(n),\n"
         "    'host': rng.choice(['alpha.example', 'beta.example', 'gamma.example'], n),\n"
         "    'status': rng.choice([200, 301, 404, 500], n, p=[0.85, 0.05, 0.08, 0.02]),\n"
         "    'bytes': rng.integers(100, 5_000_000, n),\n"
         "    'ok': rng.random(n) < 0.9,\n"
         "})\n"
         "table = nb.Table(requests, formats={'bytes': 'size'}, title='a million requests')\n"
         "table"),
    code("table.sort_by('-bytes').filter(status='404')\n"
         "table.page_frame.head(3)"),
    code("table.selected = table.row_keys[:2]\n"
         "table.selected"),
    md("A source can be *lazy*: rows computed on demand. This one has 2**32 rows and pages instantly."),
    code("squares = nb.LazySource(2**32, [nb.Column('i', 'int'), nb.Column('square', 'int')],\n"
         "                        lambda a, b: [(i, i * i) for i in range(a, b)], title='2**32 squares')\n"
         "nb.Table(squares)"),
    md("## HTTP: `%fetch` speaks curl\n\n"
       "`%fetch` takes curl's flags (or a pasted curl command); the result is a Response you can look at "
       "(status, body, headers, cookies, timing, redirects, transcript) and compute on. "
       "More in [01-http](01-http.ipynb)."),
    code("import json\n"
         "def api(environ, start_response):\n"
         "    if environ['PATH_INFO'] == '/login':   # sets a cookie, then redirects\n"
         "        start_response('302 Found', [('Set-Cookie', 'session=s3cr3t; Path=/; HttpOnly'), ('Location', '/books')])\n"
         "        return [b'']\n"
         "    start_response('200 OK', [('Content-Type', 'application/json')])\n"
         "    return [json.dumps({'books': ['Dune', 'Emma'], 'cookie': environ.get('HTTP_COOKIE', '')}).encode()]\n"
         "\n"
         "api_srv = nb.serve.wsgi(api, name='tour-api')\n"
         "%fetch -sL {api_srv.url}login -o r"),
    code("print(r.json(), [h.status for h in r.history])\n"
         "print(r.transcript)          # both hops as sent on the wire; the cookie value is masked"),
    code("log = pd.Series(['https://shop.example.com/cart?utm_source=news', 'http://[::1',\n"
         "                 'https://bob:pw@shop.example.com:8443/a?utm_source=ad'] * 2)\n"
         "nb.url.split(log)[['scheme', 'host', 'port', 'password', 'error']].assign(utm=log.url.query_param('utm_source'))"),
    md("## IP networks: `%ipnet`\n\n"
       "Subnetting by hand, checked; and addresses as fast pandas columns. More in [04-ipnet](04-ipnet.ipynb)."),
    code("%ipnet 10.0.0.0/22 --subnets 26"),
    code("%ipnet 192.168.10.0/24 --plan 100,50,20,2"),
    code("clients = pd.DataFrame({'client': ['10.1.2.3', '8.8.8.8', '10.1.2.77', '2001:db8::1', '1.2.3.04']})\n"
         "clients['ip'] = nb.ip.parse(clients['client'], errors='coerce')\n"
         "sites = pd.DataFrame({'network': ['10.0.0.0/8', '10.1.2.0/24', '8.8.8.0/24'], 'site': ['corp', 'lab', 'dns']})\n"
         "nb.ip.lpm_join(clients, sites, on='ip').assign(private=clients['ip'].ip.is_private,\n"
         "                                             net=clients['ip'].ip.network(24, v6=48))"),
    md("## Mail: send, catch, read\n\n"
       "`nb.lab('mail')` starts SMTP, POP3 and IMAP over one store; `%%smtp` sends the cell as a message. "
       "More in [03-mail](03-mail.ipynb)."),
    code("mail = nb.lab('mail', users={'alice': 'alice-pw', 'bob': 'bob-pw'})\n"
         "smtp_url = mail.smtp.url"),
    code("%%smtp --url {smtp_url} -o sent\n"
         "From: bob@netbook.lab\n"
         "To: alice@netbook.lab\n"
         "Subject: Hello from the tour\n"
         "Date: Mon, 02 Mar 2026 09:00:00 +0000\n"
         "Message-ID: <tour@netbook.lab>\n"
         "\n"
         "Hi Alice!"),
    code("with nb.mail.IMAP(mail.imap.url_for('alice') + '/INBOX', password='alice-pw') as imap:\n"
         "    headers = imap.headers()[['uid', 'from', 'subject', 'size']]\n"
         "mail.stop()\n"
         "headers"),
    md("## Web and RPC\n\n"
       "XML-RPC, socketserver labs, WSGI environs and CGI, each one cell away. More in [02-web](02-web.ipynb)."),
    code("def add(a: int, b: int) -> int:\n"
         "    \"Add two numbers.\"\n"
         "    return a + b\n"
         "rpc = nb.serve.xmlrpc(add, name='tour-rpc')      # XML-RPC service; docs at rpc.doc_url\n"
         "calc = nb.xmlrpc(rpc.url)\n"
         "print(calc.add(2, 3))\n"
         "calc.methods()[['name', 'signature', 'help']].head(1)"),
    code("echo = nb.serve.tcp('echo', name='tour-echo')\n"
         "with echo.connect() as c:\n"
         "    print(c.ask('hello, socketserver'))\n"
         "nb.wsgi.environ('POST /form?x=1', body={'name': 'Ada'}).to_frame().head(5)"),
    md("## FTP, news and telnet\n\n"
       "An FTP drop whose listings are tables ([05-ftp](05-ftp.ipynb)), a news server read as DataFrames "
       "([06-news](06-news.ipynb)) and telnet's option negotiation seen raw ([07-telnet](07-telnet.ipynb))."),
    code("drop = nb.serve.ftp(users={'alice': 'alice-pw'}, name='tour-ftp')\n"
         "f = nb.ftp(drop.user_url('alice'), password='alice-pw')\n"
         "f.put(b'student,score\\nalice,9\\n', 'scores.csv', progress=False)\n"
         "f.mkdir('reports')\n"
         "listing = f.ls().to_frame()[['name', 'type', 'size']]\n"
         "f.close()\n"
         "listing"),
    code("news = nb.serve.nntp(groups={'lab.general': 'General discussion'}, name='tour-news')\n"
         "news.post('Welcome', 'Hello everyone.', 'lab.general', message_id='<welcome@netbook.lab>',\n"
         "          headers={'Date': 'Mon, 02 Mar 2026 09:00:00 +0000'})\n"
         "n = nb.news(news.url + '/lab.general')\n"
         "n.post('Re: Welcome', 'Hi!', from_='alice@netbook.lab', references='<welcome@netbook.lab>',\n"
         "       headers={'Message-ID': '<alice1@netbook.lab>', 'Date': 'Mon, 02 Mar 2026 09:10:00 +0000'})\n"
         "thread = n.thread('<alice1@netbook.lab>')[['depth', 'number', 'subject', 'from']]\n"
         "n.close()\n"
         "thread"),
    code("term = nb.serve.telnet('menu', users={'alice': 'alice-pw'}, name='tour-telnet')\n"
         "t = nb.telnet(term.url_for('alice'), password='alice-pw')\n"
         "print(t.ask('whoami', until='$ '))\n"
         "options = t.options.to_frame().drop(columns='time')\n"
         "t.close()\n"
         "options"),
    md("## Servers, listed and stopped\n\n`nb.servers()` and `%serve list` show what runs; `%serve stop all` stops it."),
    code("%serve list"),
    code("%serve stop all"),
]


def build(path="notebooks/00-tour.ipynb"):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.cells = CELLS
    pathlib.Path(path).write_text(nbformat.writes(nb))


if __name__ == "__main__":
    build()
