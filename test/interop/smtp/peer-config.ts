// The configuration files of the private Postfix and Dovecot instances peers.ts starts: pure text
// builders, one per file, from the layout of the run's temporary folder. Every path is absolute
// (nothing is chrooted) and every listener is on 127.0.0.1.

/** Where one Postfix + Dovecot run keeps everything (all inside its temporary folder). */
export interface MailLayout {
  /** Postfix's config_directory: main.cf, master.cf and the lookup tables. */
  postfixConfig: string;
  /** Postfix's queue_directory (root-owned; `postfix check` creates its subfolders). */
  queue: string;
  /** Postfix's data_directory (owned by the postfix user). */
  data: string;
  /** Postfix's log (maillog_file, written by postlogd: no syslog needed). */
  postfixLog: string;
  /** Dovecot's folder: its config, its passwd-file, and `run/` (base_dir, where the sockets are). */
  dovecot: string;
  /** Dovecot's log (errors and info). */
  dovecotLog: string;
  /** Mailbox homes: `<mailRoot>/<box>/Maildir/`. */
  mailRoot: string;
  certFile: string;
  keyFile: string;
  /** uid/gid every mailbox belongs to (the local user mail.sh creates). */
  uid: number;
  gid: number;
}

/** A mailbox the Postfix instance accepts mail for, and who delivers it. */
export interface Mailbox {
  /** The full address (its local part may be UTF-8). */
  address: string;
  /** The folder under `mailRoot`: ASCII. */
  box: string;
  /**
   * `dovecot`: Postfix's lmtp client → Dovecot LMTP → Maildir (CRLF kept).
   * `virtual`: Postfix's own virtual(8) agent → Maildir (LF line ends), for SMTPUTF8 mail, which
   * Postfix refuses to hand to Dovecot 2.3's LMTP (it does not offer SMTPUTF8).
   * `discard`: accepted and dropped (for benchmarks).
   */
  via: "dovecot" | "virtual" | "discard";
  /** For `dovecot` boxes: the SASL password (the user name is `box`). */
  password?: string;
}

/** The path of one of Dovecot's Unix sockets (LMTP, or the auth socket Postfix's SASL asks). */
export function dovecotSocket(layout: MailLayout, name: "lmtp" | "auth-postfix"): string {
  return `${layout.dovecot}/run/${name}`;
}

/** Dovecot's passwd-file: `user:{PLAIN}password:uid:gid::home`, one line per `dovecot` mailbox. */
export function dovecotUsers(layout: MailLayout, mailboxes: readonly Mailbox[]): string {
  return mailboxes
    .filter((m) => m.via === "dovecot")
    .map(
      (m) => `${m.box}:{PLAIN}${m.password ?? ""}:${layout.uid}:${layout.gid}::${layout.mailRoot}/${m.box}\n`,
    )
    .join("");
}

/**
 * dovecot.conf: LMTP only (no IMAP/POP3 listeners), a passwd-file user for both SASL (Postfix's
 * submission ports ask Dovecot's auth socket) and delivery, Maildir under each user's home.
 */
export function dovecotConfig(layout: MailLayout): string {
  const users = `${layout.dovecot}/users`;
  return `# inetkit interop: a private Dovecot instance (generated; see test/interop/smtp/peers.ts)
base_dir = ${layout.dovecot}/run
state_dir = ${layout.dovecot}/state
log_path = ${layout.dovecotLog}
protocols = lmtp
listen = 127.0.0.1
ssl = no
# Only the test user may own mail (it is a system account, below the default minimum uid 500).
first_valid_uid = ${layout.uid}
last_valid_uid = ${layout.uid}
first_valid_gid = ${layout.gid}
last_valid_gid = ${layout.gid}
mail_location = maildir:~/Maildir
# Keep the message's CRLF line ends on disk, so delivered bytes compare with the sent ones.
mail_save_crlf = yes
auth_mechanisms = plain login
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%n ${users}
}
userdb {
  driver = passwd-file
  args = username_format=%n ${users}
}
service auth {
  unix_listener auth-postfix {
    mode = 0666
  }
}
service lmtp {
  unix_listener lmtp {
    mode = 0666
  }
}
`;
}

/**
 * main.cf: no DNS, no system paths, nothing leaves the machine (every non-local transport is the
 * error agent). Mail for `domain` goes through the virtual mailbox table: unknown recipients get
 * `550 5.1.1` at RCPT time. TLS is offered on the plain port and required on submission; AUTH is
 * offered only under TLS.
 */
export function postfixMainConfig(layout: MailLayout, domain: string): string {
  const c = layout.postfixConfig;
  return `# inetkit interop: a private Postfix instance (generated; see test/interop/smtp/peers.ts)
compatibility_level = 3.6
queue_directory = ${layout.queue}
data_directory = ${layout.data}
mail_owner = postfix
setgid_group = postdrop
myhostname = postfix.inetkit.test
mydomain = inetkit.test
myorigin = $myhostname
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
maillog_file = ${layout.postfixLog}
maillog_file_prefixes = ${layout.postfixLog}
smtp_dns_support_level = disabled
lmtp_dns_support_level = disabled
smtpd_peername_lookup = no
biff = no
alias_maps =
alias_database =
# Bounces to outside senders fail at once instead of waiting for DNS.
default_transport = error:this test instance sends nothing outside
relay_transport = error:this test instance sends nothing outside
smtputf8_enable = yes
# No rewriting of header addresses, no added Date/Message-ID: only Received is prepended.
local_header_rewrite_clients =
virtual_mailbox_domains = ${domain}
virtual_mailbox_maps = texthash:${c}/mailboxes
virtual_transport = lmtp:unix:${dovecotSocket(layout, "lmtp")}
transport_maps = texthash:${c}/transport
virtual_mailbox_base = ${layout.mailRoot}
virtual_uid_maps = static:${layout.uid}
virtual_gid_maps = static:${layout.gid}
virtual_minimum_uid = ${layout.uid}
smtpd_tls_cert_file = ${layout.certFile}
smtpd_tls_key_file = ${layout.keyFile}
smtpd_tls_security_level = may
smtpd_tls_auth_only = yes
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = ${dovecotSocket(layout, "auth-postfix")}
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
`;
}

/** Postfix's virtual mailbox table (texthash: no postmap needed): `address box/Maildir/`. */
export function postfixMailboxes(mailboxes: readonly Mailbox[]): string {
  return mailboxes.map((m) => `${m.address} ${m.box}/Maildir/\n`).join("");
}

/** Postfix's transport table: the mailboxes not delivered by Dovecot. */
export function postfixTransport(mailboxes: readonly Mailbox[]): string {
  return mailboxes
    .filter((m) => m.via !== "dovecot")
    .map((m) => `${m.address} ${m.via}:\n`)
    .join("");
}

/**
 * master.cf: three smtpd listeners (plain with STARTTLS on offer; submission requiring STARTTLS
 * and AUTH; smtps, TLS from the first byte, requiring AUTH) and Debian's set of internal services,
 * none chrooted.
 */
export function postfixMasterConfig(ports: { smtp: number; submission: number; smtps: number }): string {
  const authOnly = "  -o smtpd_client_restrictions=permit_sasl_authenticated,reject";
  const services = [
    ["pickup", "unix", "n", "-", "n", "60", "1", "pickup"],
    ["cleanup", "unix", "n", "-", "n", "-", "0", "cleanup"],
    ["qmgr", "unix", "n", "-", "n", "300", "1", "qmgr"],
    ["tlsmgr", "unix", "-", "-", "n", "1000?", "1", "tlsmgr"],
    ["rewrite", "unix", "-", "-", "n", "-", "-", "trivial-rewrite"],
    ["bounce", "unix", "-", "-", "n", "-", "0", "bounce"],
    ["defer", "unix", "-", "-", "n", "-", "0", "bounce"],
    ["trace", "unix", "-", "-", "n", "-", "0", "bounce"],
    ["verify", "unix", "-", "-", "n", "-", "1", "verify"],
    ["flush", "unix", "n", "-", "n", "1000?", "0", "flush"],
    ["proxymap", "unix", "-", "-", "n", "-", "-", "proxymap"],
    ["proxywrite", "unix", "-", "-", "n", "-", "1", "proxymap"],
    ["smtp", "unix", "-", "-", "n", "-", "-", "smtp"],
    ["relay", "unix", "-", "-", "n", "-", "-", "smtp"],
    ["showq", "unix", "n", "-", "n", "-", "-", "showq"],
    ["error", "unix", "-", "-", "n", "-", "-", "error"],
    ["retry", "unix", "-", "-", "n", "-", "-", "error"],
    ["discard", "unix", "-", "-", "n", "-", "-", "discard"],
    ["local", "unix", "-", "n", "n", "-", "-", "local"],
    ["virtual", "unix", "-", "n", "n", "-", "-", "virtual"],
    ["lmtp", "unix", "-", "-", "n", "-", "-", "lmtp"],
    ["anvil", "unix", "-", "-", "n", "-", "1", "anvil"],
    ["scache", "unix", "-", "-", "n", "-", "1", "scache"],
    ["postlog", "unix-dgram", "n", "-", "n", "-", "1", "postlogd"],
  ];
  return [
    "# inetkit interop: a private Postfix instance (generated; see test/interop/smtp/peers.ts)",
    `127.0.0.1:${ports.smtp} inet n - n - - smtpd`,
    `127.0.0.1:${ports.submission} inet n - n - - smtpd`,
    "  -o smtpd_tls_security_level=encrypt",
    authOnly,
    `127.0.0.1:${ports.smtps} inet n - n - - smtpd`,
    "  -o smtpd_tls_wrappermode=yes",
    authOnly,
    ...services.map((fields) => fields.join(" ")),
    "",
  ].join("\n");
}
