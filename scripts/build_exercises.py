"""(Re)write the "Exercises" section of every lab notebook.

Every cell of the section is tagged ``exercise``; solution cells also
``solution`` (the worked answer between BEGIN/END SOLUTION markers) and the
graded calls ``check``.  Running this again replaces the section in place
(04-ipnet: where its exercises stand; the others: at the end).  Then run
scripts/run_notebook.sh on the notebooks to store the outputs.
usage: python scripts/build_exercises.py [notebooks/NN-x.ipynb ...]
"""
import sys
from pathlib import Path

import nbformat

INTRO = """## Exercises

Each exercise asks you to **do** something against a lab server started for you, then answer a
question. `ex[i].check(answer)` says ✓, or ✗ with a hint; `ex[i].hint()` and `ex[i].solution()`
(the worked answer) are there when you are stuck. The answers come from the live servers, and the
numbers from the seed: use your student number as `seed`, and you get your own sheet.
`ex[i].params` holds the names and numbers your sheet uses."""

SHEET = {
    "01-http": ["""### BEGIN SOLUTION
p = ex[0].params
first = nb.fetch(ex.url + p["path"])
again = nb.fetch(ex.url + p["path"], headers={"If-None-Match": first.headers["ETag"]})
answer1 = (int(again.status), first.headers["ETag"], len(again.content))
### END SOLUTION
answer1""", """### BEGIN SOLUTION
r = nb.fetch(ex.url + ex[1].params["path"])
cookies = r.cookies
other = cookies[cookies["name"] != "session"].iloc[0]
answer2 = (other["name"], int(other["max-age"]))
### END SOLUTION
answer2""", """### BEGIN SOLUTION
r = nb.fetch(ex.url + ex[2].params["path"])
answer3 = [int(h.status) for h in r.history]
### END SOLUTION
answer3""", """### BEGIN SOLUTION
import base64
p = ex[3].params
realm = nb.fetch(ex.url + p["path"]).headers["WWW-Authenticate"].split('"')[1]
answer4 = (realm, "Basic " + base64.b64encode(f"{p['user']}:{p['password']}".encode()).decode())
### END SOLUTION
nb.fetch(ex.url + p["path"], auth=(p["user"], p["password"])).status""", """### BEGIN SOLUTION
from html.parser import HTMLParser

class Embedded(HTMLParser):
    found = 0
    def handle_starttag(self, tag, attrs):
        self.found += tag in ("img", "script") and any(k == "src" for k, _ in attrs)

page = Embedded()
page.feed(nb.fetch(ex.url + ex[4].params["path"]).text)
answer5 = page.found
### END SOLUTION
answer5"""],
    "02-web": ["""### BEGIN SOLUTION
import urllib.request
p = ex[0].params
first, last = p["range"]
with urllib.request.urlopen(urllib.request.Request(p["url"], headers={"Range": f"bytes={first}-{last}"})) as r:
    answer1 = (r.status, r.read().decode())
### END SOLUTION
answer1""", """### BEGIN SOLUTION
import http.client, urllib.parse
u = urllib.parse.urlsplit(ex[1].params["url"])
c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
c.request("GET", ex[1].params["path"])
answer2 = c.getresponse().status
c.close()
### END SOLUTION
answer2""", """### BEGIN SOLUTION
import xmlrpc.client
proxy = xmlrpc.client.ServerProxy(ex.rpc_url)
answer3 = len([m for m in proxy.system.listMethods() if not m.startswith("system.")])
### END SOLUTION
answer3""", """### BEGIN SOLUTION
answer4 = proxy.score(ex[3].params["word"])
### END SOLUTION
answer4""", """### BEGIN SOLUTION
keys = nb.fetch(ex.app_url, headers={ex[4].params["header"]: "me"}).text.split()
answer5 = [k for k in keys if k.startswith("HTTP_X_")][0]
### END SOLUTION
answer5""", """### BEGIN SOLUTION
import socket
p = ex[5].params
with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
    s.settimeout(5)
    s.sendto(p["text"].encode(), (p["host"], p["port"]))
    answer6 = s.recvfrom(65536)[0].decode()
### END SOLUTION
answer6"""],
    "03-mail": ["""### BEGIN SOLUTION
import socket
p = ex[0].params
replies = []
with socket.create_connection(("127.0.0.1", p["port"]), timeout=10) as s:
    f = s.makefile("rb")

    def say(line=None):
        if line is not None:
            s.sendall(line.encode() + b"\\r\\n")
        while True:
            text = f.readline().decode()
            if text[3:4] != "-":  # the last line of a reply
                replies.append(text.strip())
                return

    say()
    for line in ["EHLO student", "MAIL FROM:<student@netbook.lab>", f"RCPT TO:<{p['to']}>", "DATA",
                 f"Subject: {p['subject']}\\r\\n\\r\\nHello, typed by hand.\\r\\n.", "QUIT"]:
        say(line)
answer1 = [int(r[:3]) for r in replies]
### END SOLUTION
replies""", """### BEGIN SOLUTION
import smtplib
with smtplib.SMTP("127.0.0.1", ex[1].params["port"], timeout=10) as s:
    s.ehlo("student")
    answer2 = sorted(k.upper() for k in s.esmtp_features)
### END SOLUTION
answer2""", """### BEGIN SOLUTION
p = ex[2].params
with nb.mail.IMAP(p["url"] + "/INBOX", password=p["password"]) as box:
    answer3 = box.search("UNSEEN")
### END SOLUTION
answer3""", """### BEGIN SOLUTION
p = ex[3].params
with nb.mail.POP3(p["url"], password=p["password"]) as pop:
    sizes = pop.to_frame().set_index("number")["size"]
answer4 = int(sizes[p["message"]])
### END SOLUTION
answer4""", """### BEGIN SOLUTION
p = ex[4].params
with nb.mail.IMAP(ex.imap_url.replace("imap://", "imap://alice@") + "/INBOX", password=p["password"]) as box:
    answer5 = box.headers().sort_values("size").iloc[-1]["subject"]
### END SOLUTION
answer5"""],
    "04-ipnet": ["""### BEGIN SOLUTION
import ipaddress
answer1 = ipaddress.ip_network(ex[0].params["network"]).num_addresses - 2
### END SOLUTION
answer1""", """### BEGIN SOLUTION
answer2 = str(ipaddress.ip_interface(ex[1].params["interface"]).network)
### END SOLUTION
answer2""", """### BEGIN SOLUTION
answer3 = str(ipaddress.ip_network(ex[2].params["network"]).broadcast_address)
### END SOLUTION
answer3""", """### BEGIN SOLUTION
net = ipaddress.ip_network(ex[3].params["network"])
answer4 = (str(net.network_address + 1), str(net.broadcast_address - 1))
### END SOLUTION
answer4""", """### BEGIN SOLUTION
p = ex[4].params
answer5 = ipaddress.ip_network(p["network"]).prefixlen + (p["subnets"] - 1).bit_length()
### END SOLUTION
answer5""", """### BEGIN SOLUTION
p = ex[5].params
answer6 = str(ipaddress.ip_interface(f"{p['address']}/{p['prefix']}").network)
### END SOLUTION
answer6""", """### BEGIN SOLUTION
answer7 = 2 ** (64 - ipaddress.ip_network(ex[6].params["network"]).prefixlen)
### END SOLUTION
answer7""", """### BEGIN SOLUTION
p = ex[7].params
plan = nb.ipnet(p["block"], plan=p["needs"]).to_frame()
answer8 = list(plan[plan["name"] != "(free)"]["network"].astype(str))
### END SOLUTION
answer8"""],
    "05-ftp": ["""### BEGIN SOLUTION
p = ex[0].params
f = nb.ftp(ex.url, password=p["password"])
for d in p["dirs"]:
    f.ls(d)
answer1 = 1 + f.transcript.text().count("[data]")  # the control connection + one per listing
### END SOLUTION
answer1""", """### BEGIN SOLUTION
answer2 = f.size(ex[1].params["path"])
### END SOLUTION
answer2""", """### BEGIN SOLUTION
import ftplib
answer3 = ftplib.parse227(ex[2].params["reply"])[1]
### END SOLUTION
answer3""", """### BEGIN SOLUTION
tree = f.tree(ex[3].params["dir"], depth=5).to_frame()
answer4 = int((tree["type"] == "file").sum())
### END SOLUTION
answer4""", """### BEGIN SOLUTION
from netbook.errors import NetbookError
try:
    f.read("no-such-file.txt")
except NetbookError as e:
    answer5 = int(str(e)[:3])
f.close()
### END SOLUTION
answer5"""],
    "06-news": ["""### BEGIN SOLUTION
reader = nb.news(ex.url)
answer1 = reader.group(ex[0].params["group"])["count"]
### END SOLUTION
answer1""", """### BEGIN SOLUTION
answer2 = reader.overview(group=ex[1].params["group"])["from"].value_counts().index[0]
### END SOLUTION
answer2""", """### BEGIN SOLUTION
answer3 = reader.article(ex[2].params["message_id"])["References"].split()[-1]
### END SOLUTION
answer3""", """### BEGIN SOLUTION
p = ex[3].params
reader.post(p["subject"], "My first post.\\n", groups=[p["group"]])
answer4 = int(reader.overview(group=p["group"]).iloc[-1]["number"])
reader.close()
### END SOLUTION
answer4"""],
    "07-telnet": ["""### BEGIN SOLUTION
c = nb.telnet(ex.url)
c.read(0.6)
negotiation = c.options.to_frame()
c.close()
server = negotiation[negotiation["direction"] == "server"]
answer1 = sorted(server[server["command"] == "WILL"]["option"])
### END SOLUTION
answer1""", """### BEGIN SOLUTION
answer2 = sorted(server[server["command"] == "DO"]["option"])
### END SOLUTION
answer2""", """### BEGIN SOLUTION
p = ex[2].params
codes = {"WILL": 251, "WONT": 252, "DO": 253, "DONT": 254}
answer3 = bytes([255, codes[p["command"]], p["option"]]).hex()
### END SOLUTION
answer3""", """### BEGIN SOLUTION
p = ex[3].params
with nb.telnet(p["url"], password=p["password"], window=p["window"]) as t:
    t.ask("whoami")
width, height = p["window"]
answer4 = (bytes([255, 250, 31]) + width.to_bytes(2, "big") + height.to_bytes(2, "big") + bytes([255, 240])).hex()
### END SOLUTION
answer4"""],
}
LAB_NAME = {"01-http": "http", "02-web": "web", "03-mail": "mail", "04-ipnet": "ipnet", "05-ftp": "ftp",
            "06-news": "news", "07-telnet": "telnet"}
WRONG = {"01-http": "(200, '\"0\"', 10)", "02-web": "(200, 'abc')", "03-mail": "[220, 250, 221]",
         "04-ipnet": "510", "05-ftp": "2", "06-news": "0", "07-telnet": "['BINARY']"}


def cell(kind, source, *tags):
    c = nbformat.v4.new_code_cell(source) if kind == "code" else nbformat.v4.new_markdown_cell(source)
    c.metadata["tags"] = ["exercise", *tags]
    return c


def section(stem):
    lab = LAB_NAME[stem]
    cells = [cell("markdown", INTRO),
             cell("code", f'ex = nb.labs.exercises("{lab}", seed=7)   # your student number as the seed\nex')]
    for i, sol in enumerate(SHEET[stem]):
        cells.append(cell("markdown", f"**Exercise {i + 1}.** {{q}}".replace("{q}", f"`ex[{i}]` — see the sheet above.")))
        cells.append(cell("code", sol, "solution"))
        cells.append(cell("code", f"ex[{i}].check(answer{i + 1})", "check"))
    cells.append(cell("markdown", "A wrong answer gets ✗ and a hint, not the answer (`solution()` gives that):"))
    cells.append(cell("code", f"ex[0].check({WRONG[stem]})"))
    cells.append(cell("code", "ex.to_frame()[[\"number\", \"attempts\", \"solved\"]]"))
    cells.append(cell("code", "ex.stop()"))
    return cells


def main(paths):
    for path in map(Path, paths):
        stem = path.stem
        if stem not in SHEET:
            continue
        nb = nbformat.read(path, as_version=4)
        old = [i for i, c in enumerate(nb.cells) if "exercise" in c.metadata.get("tags", [])]
        if stem == "04-ipnet" and not old:  # the first version: its section "3. Exercises" is replaced
            start = next(i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and c.source.startswith("## 3. Exercises"))
            stop = next(i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and c.source.startswith("## 4."))
            old = list(range(start, stop))
        at = old[0] if old else len(nb.cells)
        nb.cells = [c for i, c in enumerate(nb.cells) if i not in set(old)]
        new = section(stem)
        if stem == "04-ipnet":
            new[0].source = new[0].source.replace("## Exercises", "## 3. Exercises")
            new.insert(len(new) - 1, cell("markdown", "Check yourself with `%ipnet`: every number above is in a summary."))
            new.insert(len(new) - 1, cell("code", "net3 = ex[2].params['network']\n%ipnet {net3}"))
        nb.cells[at:at] = new
        nbformat.write(nb, path)
        print(f"{path}: {len(new)} exercise cells at {at}")


if __name__ == "__main__":
    main(sys.argv[1:] or sorted(str(p) for p in Path("notebooks").glob("0[1-7]-*.ipynb")))
