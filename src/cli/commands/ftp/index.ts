/**
 * The `inet ftp` group: ls, get, put and mirror (this folder), the interactive shell (`shell/`),
 * and the table of sites (`sites.ts`).
 */
import type { GroupSpec } from "../../command.js";
import { getCommand } from "./get.js";
import { lsCommand } from "./ls.js";
import { mirrorCommand } from "./mirror.js";
import { putCommand } from "./put.js";
import { shellCommand } from "./shell/command.js";
import { sitesCommand, syncCommand } from "./sites.js";

/** The `inet ftp` group. */
export const ftpGroup: GroupSpec = {
  name: "ftp",
  summary: "FTP and FTPS: list, download, upload, mirror, an interactive shell, a table of sites",
  description:
    "An FTP and FTPS client on the command line: list a folder, download and upload files " +
    "(globs, parallel connections, resume), mirror a folder either way, like lftp's mirror; " +
    "an interactive shell in the manner of ncftp; and a table of sites to fetch from. " +
    "URLs are ftp:// (plain), ftpes:// (AUTH TLS, required) or ftps:// (implicit TLS), or the " +
    "name of a bookmark. Passwords come from the URL, ~/.netrc, INET_FTP_PASSWORD or " +
    "INET_PASSWORD, or a prompt on a terminal; they travel over plain ftp:// only with --insecure.",
  commands: [lsCommand, getCommand, putCommand, mirrorCommand, shellCommand, sitesCommand, syncCommand],
};
