/**
 * The `inet` command as the `ftp-mirror` workload runs it: `src/cli/main.ts` bundled by esbuild at
 * setup and run by plain `node` — what `bin/inet` does with the compiled package, without tsx
 * (a development-only loader that compiles TypeScript as modules load).
 */
import { main } from "../../src/cli/main.js";

process.exitCode = await main(process.argv.slice(2));
