/**
 * The FTP step of `inet demo`: the book's FTP client session (login, cd, list, get — its
 * getLatestFTP.py) and an upload, against the loopback FTP server over FTPES with TLS session reuse
 * required, checking every byte that comes back.
 */
import { PassThrough } from "node:stream";
import { ProtocolError } from "../../errors.js";
import { FtpClient } from "../../ftp/client.js";
import { startFtpServer } from "../../servers/ftp/index.js";
import { testCertificates } from "../../servers/testing/index.js";
import type { DemoStep } from "./steps.js";

const README = "Welcome to the inetkit demo FTP server.\n";

export const ftpSteps: readonly DemoStep[] = [
  {
    title: "FTP over TLS (the book's ftplib session: login, cd, dir, retrbinary, storbinary)",
    async run(context) {
      const certificates = testCertificates();
      context.say("Starting an FTP server on 127.0.0.1 with an in-memory tree and AUTH TLS…");
      const server = await startFtpServer({
        tree: {
          "pub/README": README,
          "pub/releases/inetkit-0.1.tar.gz": Buffer.alloc(200_000, 7),
          "incoming/": "",
        },
        users: [{ user: "demo", password: "demo-password" }],
        tls: certificates.localhost,
        requireTls: true,
        requireTlsSessionReuse: true,
      });
      try {
        context.say(`Listening on ${server.urls.ftpes ?? server.urls.ftp}; logging in as demo over FTPES…`);
        const ftp = await FtpClient.connect(`ftpes://demo@127.0.0.1:${server.port}`, {
          password: "demo-password",
          tls: { ca: certificates.ca.cert },
          timeout: context.timeout,
          signal: context.signal,
          onTrace: context.onTrace,
          netrc: false,
        });
        try {
          const tls = ftp.session.tls;
          context.say(
            `Logged in; control ${tls?.protocol ?? "?"}, data connections protected: ${ftp.session.dataProtected}.`,
          );
          await ftp.cd("/pub");
          const entries = await ftp.list();
          context.show("Listing of /pub: ", entries.map((e) => `${e.name} (${e.type})`).join(", "));
          const chunks: Buffer[] = [];
          const sink = new PassThrough();
          sink.on("data", (chunk: Buffer) => chunks.push(chunk));
          await ftp.download("README", sink);
          const text = Buffer.concat(chunks).toString("utf8");
          context.show("Downloaded README: ", text.trim());
          if (text !== README) throw new ProtocolError("unexpected-reply", "README came back different", {});
          const upload = Buffer.from("uploaded by inet demo\n");
          await ftp.upload(upload, "/incoming/hello.txt");
          const size = await ftp.size("/incoming/hello.txt");
          context.say(`Uploaded /incoming/hello.txt; the server reports ${size} bytes. ✓`);
          if (size !== upload.length) throw new ProtocolError("unexpected-reply", `SIZE said ${size}`, {});
        } finally {
          await ftp.quit();
        }
      } finally {
        await server.close();
      }
      return undefined;
    },
  },
];
