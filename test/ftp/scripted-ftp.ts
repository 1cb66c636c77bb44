// Helpers for FTP client tests on the scripted server: a greeting/login preamble and passive data
// ports the script controls byte by byte.
import { once } from "node:events";
import { type AddressInfo, createServer, type Server, type Socket } from "node:net";
import type { ScriptedSession } from "../../src/servers/index.js";

/** The lines a client sends and receives up to a logged-in, FEAT-read session. */
export async function loginPreamble(
  session: ScriptedSession,
  options: { features?: string[]; user?: string } = {},
): Promise<void> {
  await session.sendLine("220 scripted FTP ready");
  await session.expectLine(`USER ${options.user ?? "anonymous"}`);
  await session.sendLine("331 password please");
  await session.expectLine(/^PASS /);
  await session.sendLine("230 logged in");
  await session.expectLine("FEAT");
  const features = options.features ?? ["SIZE", "MDTM", "REST STREAM"];
  await session.sendLine("211-Features:");
  for (const feature of features) await session.sendLine(` ${feature}`);
  await session.sendLine("211 End");
}

/** A one-shot passive data port: `accepted` resolves with the client's data socket. */
export async function dataPort(): Promise<{ port: number; accepted: Promise<Socket>; server: Server }> {
  const server = createServer({ pauseOnConnect: false });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const accepted = new Promise<Socket>((resolve) => {
    server.once("connection", (socket) => {
      socket.on("error", () => {});
      server.close();
      resolve(socket);
    });
  });
  return { port: (server.address() as AddressInfo).port, accepted, server };
}

/** Answers EPSV with a fresh data port and returns it. */
export async function answerEpsv(session: ScriptedSession) {
  await session.expectLine("EPSV");
  const data = await dataPort();
  await session.sendLine(`229 Entering Extended Passive Mode (|||${data.port}|)`);
  return data;
}
