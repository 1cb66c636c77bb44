// Starts one real FTP peer by hand, prints how to reach it, and stops it on Ctrl-C:
//   sudo npx tsx scripts/peers/start.ts vsftpd|proftpd
// The configuration, certificates, served root and logs are in the folder it prints (removed on
// stop). The same code the interop tests use: test/interop/ftp/peers.ts. See docs/interop.md.
import { dirname } from "node:path";
import { type PeerName, startFtpPeer, unavailable } from "../../test/interop/ftp/peers.js";

const name = process.argv[2];
if (name !== "vsftpd" && name !== "proftpd") {
  console.error("usage: npx tsx scripts/peers/start.ts vsftpd|proftpd");
  process.exit(2);
}
const missing = unavailable(name as PeerName);
if (missing) {
  console.error(`${name} cannot start: ${missing}`);
  process.exit(1);
}

const peer = await startFtpPeer(name as PeerName);
const auth = `--user ${peer.user}:${peer.password}`;
const folder = dirname(peer.root);
console.log(`${peer.name} is running on ${peer.host} (pids ${peer.pids().join(", ")})
  plain + AUTH TLS  port ${peer.ports.plain}
  implicit FTPS     port ${peer.ports.implicitTls}
  user / password   ${peer.user} / ${peer.password}
  served root       ${peer.root}
  CA to trust       ${peer.caFile}
  configuration     ${folder}
  log               ${peer.logFile}

  curl ${auth} ftp://${peer.host}:${peer.ports.plain}/
  curl ${auth} --ssl-reqd --cacert ${peer.caFile} ftp://${peer.host}:${peer.ports.explicitTls}/
  curl ${auth} --cacert ${peer.caFile} ftps://${peer.host}:${peer.ports.implicitTls}/
  lftp -e 'set ssl:ca-file ${peer.caFile}' -u ${peer.user},${peer.password} -p ${peer.ports.plain} ${peer.host}

Ctrl-C stops it and removes ${folder}.`);

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  peer.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
// Keeps the process alive until a signal arrives (the daemons themselves do not).
setInterval(() => {}, 1 << 30);
