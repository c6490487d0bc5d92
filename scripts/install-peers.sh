#!/bin/bash
# Install the real peers netbook's tests talk to: Debian's chromium (the
# browser test), dovecot (IMAP/POP3), curl, wrk, node (widget JS tests),
# nginx-light (an independent HTTP server for the HTTP client tests and benchmark),
# tinyproxy-bin (an HTTP proxy, CONNECT included, for the proxy tests),
# inn2 (INN, a real NNTP server for the news client tests), tin (a
# newsreader, run in batch mode against the lab NNTP server),
# busybox-static (its telnetd is a real telnet server for the telnet client tests;
# Debian's plain busybox has no telnetd applet),
# and third-party clients of the lab servers (issue 11): apache2-utils (ab: HTTP/1.0
# keep-alive), swaks (SMTP), fetchmail and isync/mbsync (POP3/IMAP), lftp and
# wget (FTP and HTTP mirroring).
#
# The tests start every server themselves, on loopback, with their own config:
# nothing installed here may start or stay enabled as a system service.  While
# apt-get runs, a policy-rc.d forbids service starts; afterwards the services of
# the packages installed by this run are disabled (systemctl disable works
# without a running systemd).  inn2's postinst needs a domain when the host
# name has none: it gets its own inn.conf through INNCONF (scripts/inn2-install.conf),
# so /etc/news/inn.conf is never rewritten.
# As root on Debian: apt-get.  Otherwise: report what is missing; under
# CI=true a missing peer is an error.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
need=()
have() { command -v "$1" >/dev/null 2>&1; }
have chromium || need+=(chromium)
have dovecot || [ -x /usr/sbin/dovecot ] || need+=(dovecot-imapd dovecot-pop3d)
[ -e /usr/lib/dovecot/pop3 ] || need+=(dovecot-pop3d)
[ -e /usr/lib/dovecot/imap ] || need+=(dovecot-imapd)
have curl || need+=(curl)
have wget || need+=(wget)
have wrk || need+=(wrk)
have node || need+=(nodejs)
have openssl || need+=(openssl)
have nginx || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
have tinyproxy || need+=(tinyproxy-bin)
[ -x /usr/lib/news/bin/innd ] || need+=(inn2)
have tin || need+=(tin)
{ have busybox && busybox telnetd --help >/dev/null 2>&1; } || need+=(busybox-static)
have ab || need+=(apache2-utils)
have swaks || need+=(swaks)
have fetchmail || need+=(fetchmail)
have mbsync || need+=(isync)
have lftp || need+=(lftp)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && have apt-get; then
  export DEBIAN_FRONTEND=noninteractive
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then  # forbid service starts during the install (invoke-rc.d asks it)
    printf '#!/bin/sh\n# netbook scripts/install-peers.sh: no service starts while installing peers\nexit 101\n' > "$policy"
    chmod 755 "$policy"
    trap 'rm -f "$policy"' EXIT
  fi
  export INNCONF="$here/inn2-install.conf"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  # the services of what this run installed: not enabled, not running
  for pkg in "${need[@]}"; do
    case $pkg in
      dovecot-*) svc=dovecot ;; inn2) svc=inn2 ;; nginx-light) svc=nginx ;; fetchmail) svc=fetchmail ;;
      *) continue ;;
    esac
    if [ -e "/lib/systemd/system/$svc.service" ] && have systemctl; then
      systemctl disable --quiet "$svc.service" >/dev/null 2>&1 || rm -f "/etc/systemd/system/multi-user.target.wants/$svc.service"
    fi
    if [ -e "/etc/init.d/$svc" ] && have update-rc.d; then
      update-rc.d "$svc" disable >/dev/null 2>&1 || true
    fi
    if have systemctl && systemctl is-active --quiet "$svc.service" 2>/dev/null; then
      systemctl stop "$svc.service" >/dev/null 2>&1 || true
    fi
    if [ -e "/etc/systemd/system/multi-user.target.wants/$svc.service" ]; then
      echo "install-peers: could not disable the $svc service" >&2
      exit 1
    fi
  done
  exit 0
fi
echo "missing peers: ${need[*]} (install them with apt-get as root)" >&2
if [ "${CI:-}" = "true" ]; then exit 1; fi
