/**
 * The command table, and the commands about the session itself: HELO, EHLO (RFC 5321 §4.1.1.1,
 * with the extensions this server offers), STARTTLS (RFC 3207), RSET, NOOP, VRFY, EXPN, HELP,
 * QUIT. MAIL and RCPT are in `envelope.ts`, DATA and BDAT in `receive.ts`, AUTH in `auth.ts`.
 */
import { auth } from "./auth.js";
import { mail, rcpt } from "./envelope.js";
import { bdat, data } from "./receive.js";
import { R, reply } from "./replies.js";
import type { SmtpSession } from "./session.js";

/** A command: what it does with the session and its argument (text after the verb). */
export type Command = (session: SmtpSession, argument: string) => Promise<void>;

/** The EHLO keywords, in the order they are listed (RFC 5321 §4.1.1.1). */
export function extensions(session: SmtpSession): string[] {
  const lines = [
    "PIPELINING",
    `SIZE ${session.settings.maxMessageSize}`,
    "8BITMIME",
    "SMTPUTF8",
    "CHUNKING",
    "BINARYMIME",
    "DSN",
    "ENHANCEDSTATUSCODES",
  ];
  if (session.settings.tls && !session.conn.secure) lines.push("STARTTLS");
  if (session.authOffered && session.user === undefined) {
    lines.push(`AUTH ${session.settings.mechanisms.join(" ")}`);
  }
  lines.push("HELP");
  return lines;
}

/** The name a client gave (the first word), or undefined when it gave none. */
function greetingName(argument: string): string | undefined {
  const name = argument.trim().split(/\s+/)[0];
  return name === undefined || name === "" ? undefined : name;
}

async function helo(session: SmtpSession, argument: string): Promise<void> {
  const name = greetingName(argument);
  if (name === undefined) return session.send(R.syntax("HELO domain"));
  await session.resetTransaction();
  session.helo = { name, extended: false };
  session.send({ code: 250, text: session.settings.hostname });
}

async function ehlo(session: SmtpSession, argument: string): Promise<void> {
  const name = greetingName(argument);
  if (name === undefined) return session.send(R.syntax("EHLO domain"));
  // RFC 5321 §4.1.4: EHLO in the middle of a transaction resets it.
  await session.resetTransaction();
  session.helo = { name, extended: true };
  const remote = session.conn.addresses.remoteAddress ?? "unknown";
  const first = `${session.settings.hostname} Hello ${name.slice(0, 100)} [${remote}]`;
  session.sendLines(250, undefined, [first, ...extensions(session)]);
}

/** STARTTLS (RFC 3207 §4): 220, then the handshake; everything learned before is forgotten. */
async function starttls(session: SmtpSession, argument: string): Promise<void> {
  const tls = session.settings.tls;
  if (!tls) return session.send(R.tlsUnavailable);
  if (session.conn.secure) return session.send(R.alreadyTls);
  if (argument.trim() !== "") return session.send(R.syntax("STARTTLS"));
  session.send(R.tlsReady);
  await session.flush();
  // Bytes the client pipelined after STARTTLS are dropped, never run (Postfix CVE-2011-0411).
  await session.conn.acceptTls({ secureContext: tls.secureContext });
  await session.resetTransaction();
  session.helo = undefined;
  session.user = undefined;
}

async function rset(session: SmtpSession, argument: string): Promise<void> {
  if (argument.trim() !== "") return session.send(R.syntax("RSET"));
  await session.resetTransaction();
  session.send(R.reset);
}

async function noop(session: SmtpSession): Promise<void> {
  // RFC 5321 §4.1.1.9: a parameter is allowed and ignored.
  session.send(R.noop);
}

async function quit(session: SmtpSession, argument: string): Promise<void> {
  if (argument.trim() !== "") return session.send(R.syntax("QUIT"));
  session.send(R.bye);
}

/**
 * VRFY (RFC 5321 §3.5.1): to an authenticated client, whether an address (or user name) leads to
 * a mailbox here; to anyone else 252, so the command cannot be used to harvest addresses.
 */
async function vrfy(session: SmtpSession, argument: string): Promise<void> {
  let query = argument.trim();
  if (query === "") return session.send(R.syntax("VRFY address"));
  if (session.user === undefined) return session.send(R.vrfyCannot);
  const bracketed = /^<(.*)>$/.exec(query);
  if (bracketed) query = bracketed[1]!;
  const { directory } = session.settings;
  let user: string | undefined;
  if (directory.user(query)) user = query;
  else {
    const route = directory.route(query);
    if (route.kind === "remote") return session.send(R.vrfyCannot);
    if (route.kind === "local") user = route.user;
  }
  if (user === undefined) return session.send(R.userUnknown);
  const address = directory.addressesOf(user)[0] ?? user;
  session.send(reply(250, "2.1.5", `${user} <${address}>`));
}

async function help(session: SmtpSession): Promise<void> {
  const verbs = [...COMMANDS.keys()].sort().join(" ");
  session.sendLines(214, "2.0.0", [`Commands: ${verbs}`, "See RFC 5321. End of HELP"]);
}

/** Every command, by verb. */
export const COMMANDS: ReadonlyMap<string, Command> = new Map<string, Command>([
  ["HELO", helo],
  ["EHLO", ehlo],
  ["STARTTLS", starttls],
  ["AUTH", auth],
  ["MAIL", mail],
  ["RCPT", rcpt],
  ["DATA", data],
  ["BDAT", bdat],
  ["RSET", rset],
  ["NOOP", noop],
  ["VRFY", vrfy],
  ["EXPN", async (session) => session.send(R.notImplemented("EXPN"))],
  ["HELP", help],
  ["QUIT", quit],
]);
