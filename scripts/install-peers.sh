#!/bin/bash
# Install the real peers netbook's tests talk to: Debian's chromium (the
# browser test), dovecot (IMAP/POP3), curl, wrk, node (widget JS tests),
# nginx-light (an independent HTTP server for the HTTP client tests and benchmark),
# tinyproxy-bin (an HTTP proxy, CONNECT included, for the proxy tests),
# inn2 (INN, a real NNTP server for the news client tests; its postinst needs a
# domain in /etc/news/inn.conf when the host name does not resolve), tin (a
# newsreader, run in batch mode against the lab NNTP server).
# busybox-static (its telnetd is a real telnet server for the telnet client tests;
# Debian's plain busybox has no telnetd applet).
# As root on Debian: apt-get.  Otherwise: report what is missing; under
# CI=true a missing peer is an error.
set -euo pipefail
need=()
have() { command -v "$1" >/dev/null 2>&1; }
have chromium || need+=(chromium)
have dovecot || [ -x /usr/sbin/dovecot ] || need+=(dovecot-imapd dovecot-pop3d)
[ -e /usr/lib/dovecot/pop3 ] || need+=(dovecot-pop3d)
[ -e /usr/lib/dovecot/imap ] || need+=(dovecot-imapd)
have curl || need+=(curl)
have wrk || need+=(wrk)
have node || need+=(nodejs)
have openssl || need+=(openssl)
have nginx || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
have tinyproxy || need+=(tinyproxy-bin)
[ -x /usr/lib/news/bin/innd ] || need+=(inn2)
have tin || need+=(tin)
{ have busybox && busybox telnetd --help >/dev/null 2>&1; } || need+=(busybox-static)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && have apt-get; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null || {
    # inn2's postinst fails when the host name has no domain: give it one, configure again
    if [ -f /etc/news/inn.conf ]; then
      sed -i 's/^#domain:.*/domain:                      netbook.lab/' /etc/news/inn.conf
      dpkg --configure -a >/dev/null
    else
      exit 1
    fi
  }
  exit 0
fi
echo "missing peers: ${need[*]} (install them with apt-get as root)" >&2
if [ "${CI:-}" = "true" ]; then exit 1; fi
