"""Build notebooks/04-ipnet.ipynb from code (then execute it in place:
scripts/run_notebook.sh notebooks/04-ipnet.ipynb).  Keeping the notebook as code
makes review and merges easy."""
import pathlib

import nbformat as nbf
nb = nbf.v4.new_notebook()
C = []
def md(s): C.append(nbf.v4.new_markdown_cell(s.strip()))
def code(s, tags=None):
    c = nbf.v4.new_code_cell(s.strip())
    if tags:
        c.metadata["tags"] = tags
    C.append(c)

md("""
# 04 · IP networks: a subnetting lab and a log analysis

Two halves:

1. **Subnetting lab** — look at networks with `%ipnet`, split them, plan them
   (VLSM), and check your own answers to a sheet of exercises. Every answer
   is computed by Python's `ipaddress`, never typed in.
2. **Log analysis** — a million-row habit on a 200,000-row generated log:
   parse addresses fast (`nb.ip.parse`), top /24s, private vs public, and a
   longest-prefix-match join against a networks table (GeoIP style).

Everything runs offline; the data is generated from a fixed seed.
""")
code("""
import netbook as nb
import numpy as np
import pandas as pd
%load_ext netbook
""")
md("""
## 1. Look at a network

`%ipnet NETWORK` shows the summary (masks, broadcast, first and last usable
host, counts, every `is_*` flag, supernet, reverse pointer) and a **Table of
the hosts** that pages lazily — only the visible page is ever computed.
""")
code("%ipnet 192.168.0.0/22 -o lan")
md("""
The result is an ordinary Python object: `lan.summary` is a dict,
`lan.hosts` the lazy source of hosts, `lan.to_frame()` a DataFrame.
A /8 has 16,777,214 hosts and an IPv6 /32 has 2**96 − 1; both page like a
/30 because the rows are computed from their index:
""")
code("""
print(lan["usable hosts"], lan["broadcast"], lan["first usable host"], lan["last usable host"])
big = nb.ipnet("10.0.0.0/8")
v6 = nb.ipnet("2001:db8::/32")
print(f"{big.hosts.length:,} hosts in 10.0.0.0/8; {v6.hosts.length:,} in 2001:db8::/32")
pd.DataFrame(v6.hosts.rows(2**96 - 3, 2**96).rows, columns=[c.name for c in v6.hosts.columns])
""")
md("""
The hosts table filters by an address, a subnet or a range (type it into the
table's filter box, or call `.rows(..., filter=...)`):
""")
code("""
page = big.hosts.rows(0, 5, filter="10.200.7.0/24")
print(f"{page.total} hosts match")
pd.DataFrame(page.rows, columns=[c.name for c in big.hosts.columns])
""")
md("""
An address with a prefix and host bits set is an **interface**; a single
address shows every property `ipaddress` has — including the IPv4 address
hidden in IPv4-mapped, 6to4 and Teredo addresses:
""")
code("%ipnet 10.1.2.3/24")
code("""
for a in ["::ffff:192.0.2.1", "2002:c000:204::1", "2001:0:4136:e378:8000:63bf:3fff:fdd2", "fe80::1%eth0"]:
    s = nb.ipnet(a).summary
    print(f"{a:40} mapped={s['ipv4 mapped']}  6to4={s['6to4 (sixtofour)']}  teredo={s['teredo (server, client)']}  scope={s['scope id']}")
""")
md("""
## 2. Subnets, VLSM and friends

`--subnets 26` splits a block into /26s (or `--count 8` into at least 8),
with a map of the address space:
""")
code("%ipnet 10.0.0.0/22 --subnets 26")
md("""
`--plan` allocates subnets for host counts, **largest first** (VLSM), each
the smallest block that fits (network and broadcast reserved; `--rfc3021`
lets a 2-host link take a /31), and shows what is left over:
""")
code("%ipnet 192.168.10.0/24 --plan 100,50,20,2 -o plan")
code("plan.to_frame()")
md("""
`--exclude` (`address_exclude`), a range summarized to CIDR blocks
(`summarize_address_range`), a list collapsed (`collapse_addresses`) and
membership:
""")
code("%ipnet 10.0.0.0/8 --exclude 10.1.0.0/16")
code("%ipnet 10.0.0.5 - 10.0.0.20")
code("%ipnet 10.0.0.0/24 10.0.1.0/24 10.0.2.0/23 10.0.5.0/24")
code("%ipnet 10.1.2.3 in 10.0.0.0/8 192.168.0.0/16 10.1.0.0/16")
md("""
Bad input gets one line saying what is wrong and what to do instead:
""")
code("%ipnet 10.1.2.3/24 --subnets 26", tags=["raises-exception"])
code("%ipnet 10.1.2.3/24 --subnets 26 --loose")
md("""
## 3. Exercises

A sheet generated from a seed; `ex[i].check(answer)` says ✓ or ✗ with the
worked answer. Replace the answers below with your own. (Two of them are
deliberately wrong, to show what a ✗ looks like.)
""")
code("""
ex = nb.ip.lab.exercises(seed=4)
for e in ex:
    print(e)
""")
code("ex[0].check(510)")
code("ex[1].check('172.16.77.0/25')")
code("ex[2].check('172.16.77.255')   # wrong on purpose")
code("ex[3].check(('172.16.77.1', '172.16.77.126'))")
code("ex[4].check(19)")
code("ex[5].check('10.245.32.0/19')   # wrong on purpose")
code("ex[6].check(2**16)")
code("ex[7].check(['192.168.113.0/25', '192.168.113.128/27', '192.168.113.160/28', '192.168.113.176/30'])")
md("""
Check yourself with `%ipnet`: every number above is in a summary.
""")
code("%ipnet 172.16.77.0/25")
md("""
## 4. Log analysis on generated data

200,000 requests from a seeded generator: clients in private ranges and in
a made-up set of public networks, some IPv6, and a few broken values.
""")
code('''
rng = np.random.default_rng(2024)
N = 200_000
# a "GeoIP" table: 300 networks, nested (a /16 holds /24s with other owners)
countries = np.array(["NL", "DE", "FR", "US", "JP", "BR", "IN", "ZA"])
first_octets = rng.choice([o for o in range(20, 200) if o not in (100, 127, 172)], 60)
net16 = [f"{a}.{b}.0.0/16" for a, b in zip(first_octets, rng.integers(0, 256, 60))]
net24 = [n.replace(".0.0/16", f".{c}.0/24") for n, c in zip(rng.choice(net16, 240), rng.integers(0, 256, 240))]
geo = pd.DataFrame({"network": net16 + net24 + ["2001:db8::/32", "2001:db8:aa::/48"],
                    "country": list(rng.choice(countries, 300)) + ["NL", "DE"],
                    "asn": np.r_[rng.integers(1000, 65000, 300), [64500, 64501]]})
geo = geo.drop_duplicates("network").reset_index(drop=True)

def addresses(n):
    kind = rng.choice(["private", "public", "v6", "bad"], n, p=[0.35, 0.6, 0.045, 0.005])
    v4nets = geo["network"][~geo["network"].str.contains(":")]
    nets = nb.ip.parse_network(rng.choice(v4nets, n))
    first = nb.ip.to_int(nb.ip.network_address(nets)).to_numpy(dtype="uint64")
    size = 2 ** (32 - nb.ip.prefixlen(nets).to_numpy(dtype="uint64"))
    public = nb.ip.to_str(nb.ip.from_int(first + rng.integers(0, 2**32, n).astype("uint64") % size))
    private = nb.ip.to_str(nb.ip.from_int((10 << 24) + rng.integers(0, 2**16, n) * 256 // 16 + rng.integers(0, 16, n)))
    v6 = pd.Series([f"2001:db8:{x:x}::{y:x}" for x, y in zip(rng.choice([0xaa, 0x1, 0x2], n), rng.integers(1, 2**16, n))])
    bad = pd.Series(rng.choice(["10.0.0.256", "1.2.3.04", "localhost", "", "::1::"], n))
    out = np.where(kind == "public", public, np.where(kind == "private", private, np.where(kind == "v6", v6, bad)))
    return pd.Series(out, dtype="str")

log = pd.DataFrame({"client": addresses(N),
                    "status": rng.choice([200, 200, 200, 304, 404, 500], N),
                    "bytes": rng.integers(200, 50_000, N)})
log.head()
''')
md("""
Parse with `errors="coerce"`: bad rows become NA and `reasons=True` gives
the standard library's own message for each. Addresses are stored as
numbers (17 bytes each), not Python objects:
""")
code('''
parsed = nb.ip.parse(log["client"], errors="coerce", reasons=True)
log["ip"] = parsed["ip"]
print(f"{log['ip'].isna().sum()} unparseable rows; {log['ip'].array.nbytes / len(log):.0f} bytes per address")
parsed["reason"].value_counts()
''')
md("Top /24 networks by requests (IPv6 rows grouped by /48):")
code('''
log["net"] = log["ip"].ip.network(24, v6=48)
top = log.groupby("net").agg(requests=("bytes", "size"), bytes=("bytes", "sum")).nlargest(10, "requests")
nb.Table(top, formats={"bytes": "size"}, title="top networks")
''')
md("Private vs public, with every `is_*` flag available the same way:")
code('''
flags = log["ip"].ip.flags()
pd.crosstab(flags["is_private"], log["ip"].ip.version, dropna=False)
''')
md("""
**Longest-prefix match**: join every request to the most specific network of
the GeoIP table (a /24 inside a /16 wins):
""")
code('''
joined = nb.ip.lpm_join(log, geo, on="ip")
joined["country"] = joined["country"].fillna("(no match)")
by_country = joined.groupby("country").agg(requests=("bytes", "size"), bytes=("bytes", "sum")).sort_values("requests", ascending=False)
nb.Table(by_country, formats={"bytes": "size"}, title="requests by country")
''')
code('''
# which rows matched a /24 rather than its /16?
joined["network"].astype(str).str.endswith("/24").value_counts()
''')
md("""
Membership, containment (PostgreSQL's `<<`, `<<=`, `>>`, `>>=`, `&&`) and
numeric sorting are vectorized too:
""")
code('''
office = ["10.0.0.0/12", "2001:db8:aa::/48"]
print("from the office:", int(log["ip"].ip.in_networks(office).sum()))
print(log["ip"].dropna().ip.sorted().head(3).tolist())
nb.ip.collapse(log["net"].dropna().head(500)).head()
''')
md("""
### Larger than memory: Dask

The same functions run per partition (`nb.ip.dask`); the tests run them on
a distributed `LocalCluster`.
""")
code('''
import dask.dataframe as dd
import netbook.ip.dask as nbd

dlog = dd.from_pandas(log[["client", "bytes"]], npartitions=4)
dlog["ip"] = nbd.parse(dlog["client"], errors="coerce")
int(dlog["ip"].ip.is_private.sum().compute(scheduler="synchronous"))
''')
md("""
## 5. UUIDs

`nb.uuid` makes columns of UUIDs (v1, 3, 4, 5, 6, 7, 8 — RFC 9562; uuid7 is
time-ordered and strictly increasing within a column) and inspects them:
version, variant, embedded time, node and clock sequence.
""")
code('''
ids = nb.uuid.uuid7(100_000)
print(ids.is_monotonic_increasing, ids.is_unique, ids.uuid.version.unique().tolist())
names = nb.uuid.uuid5("dns", pd.Series(["python.org", "example.com"]))
samples = pd.Series([
    "a8098c1a-f86e-11da-bd1a-00112444be1e",          # v1: time and MAC
    "1ec9414c-232a-6b00-b3c8-9e6bdeced846",          # v6
    "017f22e2-79b0-7cc3-98c4-dc0c0c07398f",          # v7
    "{12345678-1234-5678-1234-567812345678}",        # braces are fine
    "not-a-uuid",
]).tolist() + names.tolist()
nb.uuid.inspect(pd.Series(samples))
''')
nb["cells"] = C
nb["metadata"] = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                  "language_info": {"name": "python"}}
nbf.write(nb, str(pathlib.Path(__file__).resolve().parents[1] / "notebooks" / "04-ipnet.ipynb"))
