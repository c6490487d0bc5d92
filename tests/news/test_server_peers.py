"""netbook's NNTP server against clients not written in Python: INN's own
``getlist`` (C) and Perl's Net::NNTP (libnet)."""
from __future__ import annotations

import subprocess

from tests.peers import require

PERL = r'''
use strict; use Net::NNTP;
my $n = Net::NNTP->new("127.0.0.1", Port => $ARGV[0], Timeout => 10) or die "connect failed\n";
$n->authinfo("alice", $ARGV[1]) or die "auth: " . $n->code . "\n";
my ($count, $first, $last, $name) = $n->group("lab.general") or die "group\n";
print "group $name $count $first $last\n";
my $ov = $n->xover("1-$last");
for my $k (sort { $a <=> $b } keys %$ov) { print "xover $k $ov->{$k}[0]\n"; }
my $art = $n->article("<welcome\@netbook.lab>"); print "article ", join("", @$art) =~ /^Subject: Welcome$/m ? "ok" : "bad", "\n";
my $body = $n->body(3); print "body ", join("", @$body);
$n->post(["From: perl\@netbook.lab\n", "Newsgroups: lab.python\n", "Subject: from perl\n", "\n", ".dot\n", "hi\n"])
  or die "post " . $n->code . "\n";
print "posted ", $n->code, "\n";
my $l = $n->list(); print "list ", join(",", sort keys %$l), "\n";
my $h = $n->xhdr("Subject", [1, 2]); print "xhdr $h->{1} / $h->{2}\n";
my $ids = $n->newnews(time - 600, "lab.python"); print "newnews ", scalar(@$ids), "\n";
$n->quit;
'''


def test_perl_net_nntp(auth_srv):
    from .conftest import PASSWORD

    perl = require("perl")
    r = subprocess.run([perl, "-e", PERL, str(auth_srv.port), PASSWORD], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "group lab.general 4 1 4",
        "xover 1 Welcome", "xover 2 Re: Welcome", "xover 3 Re: Welcome", "xover 4 Unrelated",
        "article ok",
        "body Me too.",
        "posted 240",
        "list lab.empty,lab.general,lab.python",
        "xhdr Welcome / Re: Welcome",
        "newnews 2",
    ]
    posted = [a for a in auth_srv.store.articles.values() if a.header("subject") == "from perl"][0]
    assert posted.body == b".dot\r\nhi\r\n"  # Net::NNTP stuffed the dot, the server unstuffed it
    assert PASSWORD not in auth_srv.log.to_frame().to_string()


def test_inn_getlist(srv):
    getlist = require("/usr/lib/news/bin/getlist")
    r = subprocess.run([getlist, "-h", "127.0.0.1", "-p", str(srv.port), "active"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    assert sorted(r.stdout.splitlines()) == ["lab.empty 0 1 y", "lab.general 4 1 y", "lab.python 1 1 y"]
    r = subprocess.run([getlist, "-h", "127.0.0.1", "-p", str(srv.port), "newsgroups", "lab.p*"],
                       capture_output=True, text=True, timeout=30)
    assert r.stdout == "lab.python\tPython questions\n"


def test_tin_newsreader_batch(srv, tmp_path):
    """tin (a real newsreader) in batch mode: -Z checks for news, -S saves
    every unread article of the subscribed groups to ~/News."""
    import os

    tin = require("tin")
    home = tmp_path / "home"
    home.mkdir()
    (home / ".newsrc").write_text("lab.general:\nlab.python:\n")
    env = dict(os.environ, HOME=str(home), TERM="dumb")
    env.pop("NNTPSERVER", None)
    base = [tin, "-r", "-g", "127.0.0.1", "-p", str(srv.port)]
    r = subprocess.run(base + ["-Z"], capture_output=True, text=True, env=env, timeout=60, stdin=subprocess.DEVNULL)
    assert r.returncode == 2, r.stdout + r.stderr  # 2: there is unread news
    r = subprocess.run(base + ["-S", "-v"], capture_output=True, text=True, env=env, timeout=60, stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stdout + r.stderr
    saved = sorted(p.relative_to(home / "News").as_posix() for p in (home / "News").rglob("*") if p.is_file())
    assert saved == ["lab/general/1", "lab/general/2", "lab/general/3", "lab/general/4", "lab/python/1"]
    first = (home / "News/lab/general/1").read_text()
    assert "Subject: Welcome" in first and ".a line starting with a dot" in first
    log = srv.log.to_frame()
    assert {"LISTGROUP lab.general", "OVER 1-4", "ARTICLE 1"} <= set(log["request"]) and "500" not in set(log["status"])
