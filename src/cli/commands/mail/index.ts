/**
 * The `inet mail` group: `send` (this folder: compose.ts, editor.ts, connect.ts) and the mail
 * accounts of the config file (`accounts.ts`). Reading mail (fetch, ls, read) joins with POP3
 * and IMAP.
 */
import type { GroupSpec } from "../../command.js";
import { accountsCommand } from "./accounts.js";
import { sendCommand } from "./send.js";

/** The `inet mail` group. */
export const mailGroup: GroupSpec = {
  name: "mail",
  summary: "mail: send a message over SMTP; the mail accounts",
  description:
    "Mail on the command line. 'send' builds a message (text, HTML, attachments, or written in " +
    "your editor) and sends it over SMTP; 'accounts' keeps named senders and their servers in the " +
    "config file. Servers are smtp+starttls:// (STARTTLS required, port 587), smtps:// (implicit " +
    "TLS, 465) or smtp:// (plain, 25; never upgraded, and no password without --insecure). " +
    "Passwords come from the URL, ~/.netrc, INET_SMTP_PASSWORD or INET_PASSWORD, a stored " +
    "account password, or a prompt on a terminal.",
  commands: [sendCommand, accountsCommand],
};
