#!/usr/bin/env bash
# Install the Debian packages Convergence runs on. As root it installs them; otherwise it
# prints the exact apt-get command to run. Usage: system-packages.sh run|test|bench
# `bench` (make bench) adds Debian's Roundcube with nginx and php-fpm, served by the bench on
# loopback from its private directory beside the webmail (bench/roundcube.py).
set -eu
packages=(dovecot-imapd dovecot-lmtpd dovecot-sqlite dovecot-pgsql dovecot-fts-xapian gettext geoip-database iso-codes
  redis-server spamassassin spamc spamd)
[ "${1:-run}" = bench ] && packages+=(roundcube roundcube-sqlite3 nginx php-fpm)
[ "${1:-run}" = test ] && packages+=(chromium fonts-dejavu-core)
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing Debian packages. Please run:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "Installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Roundcube's own database is the bench's SQLite file: no system database through dbconfig.
echo "roundcube-core roundcube/dbconfig-install boolean false" | debconf-set-selections
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian's packages start their own services where an init system runs; ours run on loopback
# from var/, so stop the system-wide ones if they came up (nginx's default site listens on
# every address, port 80) and keep them from starting at boot.
services=(dovecot spamd nginx)
for fpm in /etc/init.d/php*-fpm; do if [ -e "$fpm" ]; then services+=("$(basename "$fpm")"); fi; done
for service in "${services[@]}"; do
  if command -v service >/dev/null; then service "$service" stop >/dev/null 2>&1 || true; fi
  if [ -d /run/systemd/system ]; then systemctl disable --now "$service" >/dev/null 2>&1 || true; fi
done
