/**
 * The `inetkit-plain` contenders' program: bundled by esbuild at setup (see `bundleInetkit` in
 * ftp-common.ts) and run by plain `node`, without tsx, so its peak RSS and speed are what a user
 * of the compiled package would see. Prints one JSON line: `{"ms":…,"bytes":…,"cpuMs":…}`.
 *
 * Usage: node BUNDLE OPERATION PARAMS_JSON  (OPERATION: download, upload, list, mlsd)
 */
import { ftpParams } from "./ftp-common.js";
import { type InetkitOperation, inetkitDownload, inetkitList, inetkitUpload } from "./ftp-inetkit.js";

const [operation, json] = process.argv.slice(2) as [InetkitOperation, string];
const params = JSON.parse(json) as Record<string, string | number | boolean>;
const p = ftpParams(params);
const result =
  operation === "download"
    ? await inetkitDownload(p, String(params.file))
    : operation === "upload"
      ? await inetkitUpload(p, String(params.source), String(params.remote))
      : await inetkitList(p, String(params.dir), operation === "list");
process.stdout.write(`${JSON.stringify(result)}\n`);
