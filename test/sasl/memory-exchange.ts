// An in-memory SaslExchange wired straight to a SaslServer: what a protocol layer does, minus the
// wire. A server failure becomes a ReplyError, as the real protocol layers will throw it.
import { ReplyError } from "../../src/errors.js";
import { deriveScramKeys } from "../../src/sasl/scram-core.js";
import type { SaslServer, SaslStep, SaslVerifier } from "../../src/sasl/types.js";

export interface MemoryExchange {
  begin(mechanism: string, initial: Buffer | undefined): Promise<SaslStep>;
  respond(data: Buffer): Promise<SaslStep>;
  abort(): Promise<void>;
  /** Every message in order, as `C: <base64>` / `S: <base64>` lines. */
  readonly transcript: string[];
  readonly aborted: number;
  readonly mechanism: string | undefined;
}

export function memoryExchange(server: SaslServer): MemoryExchange {
  const transcript: string[] = [];
  let aborted = 0;
  let mechanism: string | undefined;
  async function relay(response: Buffer | undefined): Promise<SaslStep> {
    transcript.push(`C: ${response === undefined ? "(none)" : response.toString("base64")}`);
    const result = await server.step(response);
    if (result.kind === "failure") {
      transcript.push(`S: failure ${result.reason}`);
      throw new ReplyError({ status: "NO", lines: ["authentication failed"] });
    }
    transcript.push(`S: ${result.kind} ${result.data?.toString("base64") ?? ""}`);
    return result.kind === "challenge" ? result : { kind: "success", data: result.data };
  }
  return {
    transcript,
    get aborted() {
      return aborted;
    },
    get mechanism() {
      return mechanism;
    },
    begin(name, initial) {
      mechanism = name;
      return relay(initial);
    },
    respond(data) {
      return relay(data);
    },
    async abort() {
      aborted += 1;
      transcript.push("C: *");
    },
  };
}

/** The accounts of {@link tableVerifier}. */
export const ACCOUNTS = {
  /** Stored with a plain password. */
  alice: "correct horse",
  /** Stored as SCRAM-SHA-256 keys only. */
  bob: "bob's secret",
  /** Stored as SCRAM-SHA-1 keys only. */
  bob1: "bob1's secret",
  /** Holds an OAuth token. */
  carol: "tok-carol-123",
} as const;

/** A verifier over a fixed table: `alice` (password), `bob` (SHA-256 keys), `bob1` (SHA-1 keys), `carol` (token). */
export function tableVerifier(): SaslVerifier {
  const salt = Buffer.from("0123456789abcdef");
  const bob = deriveScramKeys(ACCOUNTS.bob, salt, 4096, "sha256");
  const bob1 = deriveScramKeys(ACCOUNTS.bob1, salt, 4096, "sha1");
  return {
    async lookup(user) {
      if (user === "alice") return { password: ACCOUNTS.alice };
      if (user === "bob") return { scram: bob };
      if (user === "bob1") return { scram: bob1 };
      return undefined;
    },
    async verifyToken(user, token) {
      return user === "carol" && token === ACCOUNTS.carol;
    },
  };
}
