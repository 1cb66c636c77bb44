/** Every benchmark workload, by name. */
import type { Workload } from "../types.js";
import { ftpDownload } from "./ftp-download.js";
import { ftpList, ftpMlsd } from "./ftp-list.js";
import { ftpMirror } from "./ftp-mirror.js";
import { ftpUpload } from "./ftp-upload.js";
import { loopbackReceive } from "./loopback-receive.js";
import { mboxRead } from "./mbox-read.js";
import { mimeParse } from "./mime-parse.js";
import { smtpSend, smtpSendPostfix } from "./smtp-send.js";

export const WORKLOADS: readonly Workload[] = [
  loopbackReceive,
  ftpDownload,
  ftpUpload,
  ftpList,
  ftpMlsd,
  ftpMirror,
  mimeParse,
  mboxRead,
  smtpSend,
  smtpSendPostfix,
];
