# shellcheck shell=bash
# Mail peers for test/interop/smtp (sourced by install.sh, which defines log, die, is_root,
# missing_packages and apt_install):
#   - postfix (and its smtp-sink), preseeded to "No configuration": no /etc/postfix/main.cf,
#     no system instance; the tests run private instances from their own config folders;
#   - dovecot-core + dovecot-lmtpd: SASL for Postfix's submission ports and LMTP delivery
#     into Maildir, again from a private config per run;
#   - swaks with libnet-ssleay-perl (its TLS: only a Recommends of swaks, which
#     --no-install-recommends skips) and Debian's python3-aiosmtpd (for /usr/bin/python3);
#   - the local user the delivered mail belongs to (Dovecot's passwd-file user maps to it).
# Idempotent: with everything in place it runs two dpkg-query calls and one getent.
# Keep MAIL_USER in step with test/interop/smtp/peer-requirements.ts.

MAIL_USER=inetkit-mail
MAIL_PACKAGES=(postfix dovecot-core dovecot-lmtpd swaks libnet-ssleay-perl python3-aiosmtpd)

install_mail_peers() {
  local need
  need=$(missing_packages "${MAIL_PACKAGES[@]}")
  if [ -n "$need" ]; then
    if grep -qx postfix <<<"$need"; then
      is_root || die "must run as root to install postfix"
      # Without a preseed, postfix's postinst asks for a mailer type (and with "Internet Site"
      # would write /etc/postfix/main.cf for a system instance we do not want).
      log "preseeding postfix: No configuration"
      echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
    fi
    # shellcheck disable=SC2086
    apt_install $need
  fi
  if ! getent passwd "$MAIL_USER" >/dev/null; then
    is_root || die "must run as root to create the mail user $MAIL_USER"
    log "creating the local user $MAIL_USER"
    useradd --system --user-group --no-create-home --home-dir / \
      --shell /usr/sbin/nologin --comment "inetkit mail interop tests" "$MAIL_USER"
  fi
}
