/** Shared set-up for the FTP server tests (not a test file). */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { FtpServer, FtpServerOptions } from "../../../src/servers/ftp/index.js";
import { startFtpServer } from "../../../src/servers/ftp/index.js";
import { testCertificates } from "../../../src/servers/testing/index.js";

export const USERS = [
  { user: "alice", password: "secret" },
  { user: "reader", password: "look", readOnly: true },
];

/** A temporary folder with `files` in it (`"a/b.txt": "text"`; a key ending in `/` is a folder). */
export async function makeTree(files: Record<string, string | Buffer>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "inetkit-ftp-"));
  for (const [name, content] of Object.entries(files)) {
    const path = join(root, name);
    if (name.endsWith("/")) await mkdir(path, { recursive: true });
    else {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, content);
    }
  }
  return root;
}

export async function removeTree(root: string): Promise<void> {
  await rm(root, { recursive: true, force: true });
}

/** TLS options for startFtpServer, and what a client needs to trust it. */
export function tlsFixture(): { tls: { cert: string; key: string }; ca: string } {
  const certificates = testCertificates();
  return {
    tls: { cert: certificates.localhost.cert, key: certificates.localhost.key },
    ca: certificates.ca.cert,
  };
}

/** Starts a server on a fresh folder holding `files`; `done()` closes it and removes the folder. */
export async function serveTree(
  files: Record<string, string | Buffer>,
  options: Partial<FtpServerOptions> = {},
): Promise<{ server: FtpServer; root: string; done: () => Promise<void> }> {
  const root = await makeTree(files);
  const server = await startFtpServer({ root, users: USERS, ...options });
  return {
    server,
    root,
    done: async () => {
      await server.close();
      await removeTree(root);
    },
  };
}
