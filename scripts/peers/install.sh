#!/usr/bin/env bash
# Installs the real FTP peers the interop tests start (test/interop/ftp/peers.ts), as root on
# Debian 12:
#   - vsftpd, lftp, curl, openssl and Debian's python3, from apt;
#   - ProFTPD (proftpd-core + proftpd-mod-crypto, which holds mod_tls): it conflicts with vsftpd
#     in apt (both provide ftp-server), so its packages are fetched with `apt-get download` and
#     unpacked with `dpkg -x` into .peers/proftpd; only its shared libraries come from apt;
#   - the local user the tests log in as (PAM needs a real account) and a PAM service of our own;
#   - the mail peers of test/interop/smtp (Postfix, Dovecot, swaks, aiosmtpd): see mail.sh.
# Idempotent: when everything is already there it changes nothing and returns at once. Package
# scripts never start a daemon here (policy-rc.d exits 101); the tests start their own.
# See docs/interop.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=scripts/peers/mail.sh
. scripts/peers/mail.sh

# Keep these three in step with test/interop/ftp/peers.ts.
FTP_USER=inetkit-ftp
FTP_PASSWORD=inetkit-ftp-secret
PAM_SERVICE=inetkit-ftp
# A fixed salt makes the hash the same on every run, so "is the password right?" is a string
# compare. SHA-512 crypt with the default 5,000 rounds keeps each PAM login fast.
FTP_SALT=inetkitftptests

PEERS_DIR=.peers
PROFTPD_DIR=$PEERS_DIR/proftpd
PROFTPD_STAMP=$PROFTPD_DIR/.installed
APT_PACKAGES=(vsftpd lftp curl openssl python3)
PROFTPD_PACKAGES=(proftpd-core proftpd-mod-crypto)
PAM_TEXT='# inetkit interop tests: vsftpd logs the test user in through this service.
# Local passwords only; no pam_shells (the user has no login shell) and no /etc/ftpusers list.
auth	required	pam_unix.so
account	required	pam_unix.so
session	required	pam_permit.so'

log() { echo "peers: $*" >&2; }
die() {
  log "$*"
  exit 1
}

is_root() { [ "$(id -u)" -eq 0 ]; }

# Prints the names among "$@" that dpkg does not list as installed.
missing_packages() {
  local installed
  installed=$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "$@" 2>/dev/null | awk '$2 == "ii" { print $1 }' || true)
  local p
  for p in "$@"; do
    grep -qx -- "$p" <<<"$installed" || echo "$p"
  done
}

apt_updated=${CI_APT_UPDATED:-}
apt_update_once() {
  if [ -z "$apt_updated" ]; then
    log "apt-get update"
    apt-get update -qq
    apt_updated=1
  fi
}

prepare_apt() {
  is_root || die "must run as root to install: $*"
  command -v apt-get >/dev/null || die "no apt-get to install: $*"
  export DEBIAN_FRONTEND=noninteractive
  # Package scripts must not start services: the tests start their own daemons.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
  fi
  # A machine whose package lists were never fetched (or were cleaned) knows no package yet.
  if ! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; then apt_update_once; fi
}

apt_install() {
  prepare_apt "$@"
  log "apt-get install $*"
  if ! apt-get install -y -qq --no-install-recommends "$@" >/dev/null; then
    # Stale lists name versions the mirror no longer has: refresh them once and try again.
    apt_update_once
    apt-get install -y -qq --no-install-recommends "$@" >/dev/null
  fi
}

# Fetches the ProFTPD packages and unpacks them under .peers/proftpd (never into the system).
install_proftpd() {
  prepare_apt "${PROFTPD_PACKAGES[@]}"
  local work
  work=$(mktemp -d)
  # apt-get download writes into the current folder; its sandbox user cannot write to a
  # root-only temporary folder, hence the mode.
  chmod 0755 "$work"
  log "apt-get download ${PROFTPD_PACKAGES[*]}"
  if ! (cd "$work" && apt-get download -qq "${PROFTPD_PACKAGES[@]}" 2>/dev/null); then
    apt_update_once
    (cd "$work" && apt-get download -qq "${PROFTPD_PACKAGES[@]}")
  fi
  rm -rf "$PROFTPD_DIR"
  mkdir -p "$PROFTPD_DIR"
  local deb deps=""
  for deb in "$work"/*.deb; do
    dpkg -x "$deb" "$PROFTPD_DIR"
    deps+="$(dpkg-deb -f "$deb" Depends), "
  done
  rm -rf "$work"
  # The libraries the binary and its modules link against: every dependency but ProFTPD's own
  # packages (versions and alternatives dropped: this Debian release's candidates satisfy them).
  local dep_names
  dep_names=$(tr ',' '\n' <<<"$deps" | sed -e 's/|.*//' -e 's/(.*)//' -e 's/[[:space:]]//g' \
    | grep -v -e '^$' -e '^proftpd-' | sort -u | tr '\n' ' ')
  local need
  # shellcheck disable=SC2086
  need=$(missing_packages $dep_names)
  # shellcheck disable=SC2086
  if [ -n "$need" ]; then apt_install $need; fi
  local unresolved
  unresolved=$(ldd "$PROFTPD_DIR/usr/sbin/proftpd" "$PROFTPD_DIR/usr/lib/proftpd/mod_tls.so" | grep 'not found' || true)
  [ -z "$unresolved" ] || die "ProFTPD's libraries are missing: $unresolved"
  # Written last: its presence says the unpacked tree is complete.
  echo "$dep_names" >"$PROFTPD_STAMP"
  log "ProFTPD unpacked into $PROFTPD_DIR ($("$PROFTPD_DIR/usr/sbin/proftpd" -v 2>&1))"
}

ensure_user() {
  local hash
  hash=$(openssl passwd -6 -salt "$FTP_SALT" "$FTP_PASSWORD")
  if ! getent passwd "$FTP_USER" >/dev/null; then
    is_root || die "must run as root to create the test user $FTP_USER"
    log "creating the local user $FTP_USER"
    useradd --system --user-group --no-create-home --home-dir / \
      --shell /usr/sbin/nologin --comment "inetkit FTP interop tests" "$FTP_USER"
  fi
  # vsftpd changes into the home folder before local_root and gives up when it is missing
  # ("500 OOPS: cannot change directory"): "/" always exists and is not the user's to write.
  if [ "$(getent passwd "$FTP_USER" | cut -d: -f6)" != / ]; then
    is_root || die "must run as root to set the home folder of $FTP_USER"
    log "setting the home folder of $FTP_USER to /"
    usermod --home / "$FTP_USER"
  fi
  if is_root; then
    if [ "$(getent shadow "$FTP_USER" | cut -d: -f2)" != "$hash" ]; then
      log "setting the password of $FTP_USER"
      usermod -p "$hash" "$FTP_USER"
    fi
  fi
  if [ "$(cat "/etc/pam.d/$PAM_SERVICE" 2>/dev/null || true)" != "$PAM_TEXT" ]; then
    is_root || die "must run as root to write /etc/pam.d/$PAM_SERVICE"
    log "writing /etc/pam.d/$PAM_SERVICE"
    printf '%s\n' "$PAM_TEXT" >"/etc/pam.d/$PAM_SERVICE"
  fi
}

command -v dpkg-query >/dev/null || die "not a Debian system: install vsftpd, ProFTPD, lftp, curl and python3 by hand (docs/interop.md)"

need=$(missing_packages "${APT_PACKAGES[@]}")
# shellcheck disable=SC2086
if [ -n "$need" ]; then apt_install $need; fi

if [ -f "$PROFTPD_STAMP" ]; then
  # Already unpacked: only make sure its libraries are still installed.
  # shellcheck disable=SC2046
  need=$(missing_packages $(cat "$PROFTPD_STAMP"))
  # shellcheck disable=SC2086
  if [ -n "$need" ]; then apt_install $need; fi
else
  install_proftpd
fi

ensure_user
install_mail_peers
