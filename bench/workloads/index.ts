/** Every benchmark workload, by name. */
import type { Workload } from "../types.js";
import { loopbackReceive } from "./loopback-receive.js";

export const WORKLOADS: readonly Workload[] = [loopbackReceive];
