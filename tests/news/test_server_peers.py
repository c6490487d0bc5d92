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
