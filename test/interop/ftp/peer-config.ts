// Configuration files for the real FTP peers. Pure text builders: the paths and ports come from
// peers.ts, which writes the files. Each setting that differs from the Debian default says why.

/** What both daemons need to know about one run. */
export interface PeerLayout {
  /** The served folder (the test user's chroot). */
  root: string;
  certFile: string;
  keyFile: string;
  caFile: string;
  /** The daemon's own log (protocol and TLS events). */
  logFile: string;
  /** Passive data ports; undefined lets the daemon pick any free one. */
  passivePorts: { min: number; max: number } | undefined;
  /** Refuse PROT P data connections that do not resume the control connection's TLS session. */
  requireTlsReuse: boolean;
  /** Lines appended verbatim (vsftpd: to each instance; ProFTPD: inside `<Global>`). */
  extra: readonly string[];
}

export interface VsftpdInstance extends PeerLayout {
  port: number;
  /** TLS from the first byte (a second instance: vsftpd has one listener per process). */
  implicitTls: boolean;
  /** An empty folder owned by root that vsftpd chroots its unprivileged helper into. */
  emptyDir: string;
  pamService: string;
}

/** vsftpd.conf for one listener (`vsftpd FILE` runs it in the foreground). */
export function vsftpdConfig(c: VsftpdInstance): string {
  const lines = [
    "# inetkit interop peer, written by test/interop/ftp/peers.ts",
    // Standalone, in the foreground, so the test owns the process and its pid.
    "listen=YES",
    "listen_ipv6=NO",
    "listen_address=127.0.0.1",
    `listen_port=${c.port}`,
    "background=NO",
    // Local users only, through our own PAM service (pam_unix without pam_shells or ftpusers).
    "anonymous_enable=NO",
    "local_enable=YES",
    `pam_service_name=${c.pamService}`,
    "write_enable=YES",
    "local_umask=022",
    `local_root=${c.root}`,
    "chroot_local_user=YES",
    // The served root belongs to the test user, which vsftpd refuses in a chroot unless told.
    "allow_writeable_chroot=YES",
    `secure_chroot_dir=${c.emptyDir}`,
    // The syscall filter of 3.0.3 predates today's glibc and kernels: sessions die on new calls.
    "seccomp_sandbox=NO",
    "utf8_filesystem=YES",
    // Active mode from any port, not from port 20 (which needs root and would collide).
    "connect_from_port_20=NO",
    "delay_failed_login=0",
    // TLS: offered on the plain listener (AUTH TLS), never forced, so plain FTP works too.
    "ssl_enable=YES",
    `implicit_ssl=${c.implicitTls ? "YES" : "NO"}`,
    `rsa_cert_file=${c.certFile}`,
    `rsa_private_key_file=${c.keyFile}`,
    // The 3.0.3 default is DES-CBC3-SHA alone, which OpenSSL 3 no longer enables.
    "ssl_ciphers=HIGH",
    "force_local_logins_ssl=NO",
    "force_local_data_ssl=NO",
    `require_ssl_reuse=${c.requireTlsReuse ? "YES" : "NO"}`,
    // The protocol log, for reading after a failure.
    "syslog_enable=NO",
    `vsftpd_log_file=${c.logFile}`,
    "xferlog_enable=YES",
    "xferlog_std_format=NO",
    "log_ftp_protocol=YES",
  ];
  if (c.passivePorts)
    lines.push(`pasv_min_port=${c.passivePorts.min}`, `pasv_max_port=${c.passivePorts.max}`);
  return `${[...lines, ...c.extra].join("\n")}\n`;
}

export interface ProftpdInstance extends PeerLayout {
  /** Plain FTP with AUTH TLS on offer. */
  port: number;
  /** Implicit FTPS, served by the same master process through a second virtual host. */
  implicitPort: number;
  /** The folder holding mod_tls.so (the unpacked package's usr/lib/proftpd). */
  moduleDir: string;
  user: string;
  group: string;
  pidFile: string;
  scoreboardFile: string;
  tlsLogFile: string;
}

/** ProFTPD accepts a double-quoted string wherever a path goes; a quote inside cannot be escaped. */
function quoted(path: string): string {
  if (path.includes('"')) throw new RangeError(`a ProFTPD path cannot hold '"': ${path}`);
  return `"${path}"`;
}

/** proftpd.conf for `proftpd -n -c FILE`: one master, two listeners on 127.0.0.1. */
export function proftpdConfig(c: ProftpdInstance): string {
  const tls = [
    "TLSEngine on",
    `TLSLog ${quoted(c.tlsLogFile)}`,
    "TLSProtocol TLSv1.2 TLSv1.3",
    `TLSECCertificateFile ${quoted(c.certFile)}`,
    `TLSECCertificateKeyFile ${quoted(c.keyFile)}`,
    // Without it mod_tls parses the whole system CA bundle for every session (~0.1 s each).
    `TLSCACertificateFile ${quoted(c.caFile)}`,
    "TLSVerifyClient off",
    "TLSRequired off",
  ];
  const lines = [
    "# inetkit interop peer, written by test/interop/ftp/peers.ts",
    'ServerName "inetkit ProFTPD"',
    "ServerType standalone",
    // Bind exactly 127.0.0.1 on each listener's own port (and nothing else).
    "SocketBindTight on",
    "DefaultAddress 127.0.0.1",
    `Port ${c.port}`,
    "UseIPv6 off",
    // The master keeps root only to switch to the logged-in user; it runs as the test user.
    `User ${c.user}`,
    `Group ${c.group}`,
    `PidFile ${quoted(c.pidFile)}`,
    `ScoreboardFile ${quoted(c.scoreboardFile)}`,
    `SystemLog ${quoted(c.logFile)}`,
    "TransferLog none",
    "WtmpLog off",
    "ControlsEngine off",
    "UseReverseDNS off",
    // mod_delay pads every USER/PASS by up to ~0.4 s to blur timing: pure cost in tests.
    "DelayEngine off",
    `ModulePath ${quoted(c.moduleDir)}`,
    "LoadModule mod_tls.c",
    "<Global>",
    // The local account through /etc/shadow (root reads it); no PAM, no valid-shell rule.
    "  AuthOrder mod_auth_unix.c",
    "  AuthPAM off",
    "  RequireValidShell off",
    `  DefaultRoot ${quoted(c.root)}`,
    "  AllowOverwrite on",
    "  AllowStoreRestart on",
    "  Umask 022",
    ...(c.passivePorts ? [`  PassivePorts ${c.passivePorts.min} ${c.passivePorts.max}`] : []),
    ...tls.map((line) => `  ${line}`),
    ...(c.requireTlsReuse ? [] : ["  TLSOptions NoSessionReuseRequired"]),
    ...c.extra.map((line) => `  ${line}`),
    "</Global>",
    "<VirtualHost 127.0.0.1>",
    `  Port ${c.implicitPort}`,
    `  TLSOptions UseImplicitSSL${c.requireTlsReuse ? "" : " NoSessionReuseRequired"}`,
    "</VirtualHost>",
  ];
  return `${lines.join("\n")}\n`;
}
