/**
 * Who the mail server serves: its local domains, its users (name, password) and the addresses that
 * lead to each user's mailbox. The SMTP server asks it where a recipient goes (or that it is not
 * local, so relaying is refused); SASL asks it for passwords.
 */
import { InvalidArgumentError } from "../../errors.js";
import { isValidEnvelopeAddress } from "../../mime/address/envelope.js";
import { domainToAscii } from "../../mime/address/idn.js";
import type { SaslSecret, SaslVerifier } from "../../sasl/types.js";
import { checkMailboxName } from "./store.js";

/** One account of the mail server. */
export interface MailUser {
  /** The login name, also the mailbox's name (letters, digits, `.`, `_`, `+`, `-`). */
  name: string;
  password: string;
  /** Addresses delivered to this user. Default: `NAME@DOMAIN` for every local domain. */
  addresses?: readonly string[];
}

/** Where a recipient address goes. */
export type Destination =
  | { kind: "local"; user: string }
  | { kind: "unknown-user" }
  | { kind: "remote"; domain: string };

/** The local domain when none is configured. */
export const DEFAULT_MAIL_DOMAIN = "localhost";

/** The users and local domains of one mail server. */
export class MailDirectory {
  /** Local domains, ASCII and lower case. */
  readonly domains: ReadonlySet<string>;
  readonly #users = new Map<string, MailUser>();
  /** Normalized address → user name. */
  readonly #addresses = new Map<string, string>();
  readonly #postmaster: string | undefined;

  /**
   * @throws InvalidArgumentError for a bad or repeated user name, an empty password, an invalid
   *   domain or address, or an address given to two users.
   */
  constructor(users: readonly MailUser[], domains: readonly string[] = []) {
    const local = new Set<string>();
    for (const domain of domains) local.add(asciiDomain(domain));
    for (const user of users) {
      for (const address of user.addresses ?? []) local.add(splitAddress(address).domain);
    }
    if (local.size === 0) local.add(DEFAULT_MAIL_DOMAIN);
    this.domains = local;
    for (const user of users) {
      checkMailboxName(user.name);
      if (this.#users.has(user.name)) {
        throw new InvalidArgumentError(`mail user ${user.name} is given twice`);
      }
      if (typeof user.password !== "string" || user.password === "" || user.password.includes("\0")) {
        throw new InvalidArgumentError(`mail user ${user.name} needs a password (without NUL)`);
      }
      this.#users.set(user.name, user);
      const addresses = user.addresses ?? [...local].map((domain) => `${user.name}@${domain}`);
      for (const address of addresses) {
        const key = addressKey(address);
        const owner = this.#addresses.get(key);
        if (owner !== undefined && owner !== user.name) {
          throw new InvalidArgumentError(`the address ${address} is given to ${owner} and ${user.name}`);
        }
        this.#addresses.set(key, user.name);
      }
    }
    // RFC 5321 §4.5.1: every domain must take mail for "postmaster".
    const first = [...local][0]!;
    this.#postmaster = this.#addresses.get(`postmaster@${first}`) ?? users[0]?.name;
  }

  /** Every user name, in the order given. */
  get userNames(): string[] {
    return [...this.#users.keys()];
  }

  /** The account named `name`, if any. */
  user(name: string): MailUser | undefined {
    return this.#users.get(name);
  }

  /** True when `domain` (any case, U-labels or A-labels) is served here. */
  isLocalDomain(domain: string): boolean {
    try {
      return this.domains.has(asciiDomain(domain));
    } catch {
      return false;
    }
  }

  /**
   * Where mail for `address` goes: a local user's mailbox, nowhere (a local domain but no such
   * user), or another domain. `postmaster` alone (RFC 5321 §4.5.1) and `postmaster@` a local
   * domain go to the user owning `postmaster@FIRST-DOMAIN`, else the first user.
   */
  route(address: string): Destination {
    if (address.toLowerCase() === "postmaster") {
      return this.#postmaster === undefined
        ? { kind: "unknown-user" }
        : { kind: "local", user: this.#postmaster };
    }
    let parts: { local: string; domain: string };
    try {
      parts = splitAddress(address);
    } catch {
      return { kind: "unknown-user" };
    }
    if (!this.domains.has(parts.domain)) return { kind: "remote", domain: parts.domain };
    const user = this.#addresses.get(`${parts.local}@${parts.domain}`);
    if (user !== undefined) return { kind: "local", user };
    if (parts.local === "postmaster" && this.#postmaster !== undefined) {
      return { kind: "local", user: this.#postmaster };
    }
    return { kind: "unknown-user" };
  }

  /** The addresses that lead to `name`'s mailbox (normalized), for VRFY. */
  addressesOf(name: string): string[] {
    return [...this.#addresses].filter(([, owner]) => owner === name).map(([address]) => address);
  }

  /** The SASL verifier over these accounts (stored passwords). */
  readonly verifier: SaslVerifier = {
    lookup: async (user: string): Promise<SaslSecret | undefined> => {
      const account = this.#users.get(user);
      return account ? { password: account.password } : undefined;
    },
  };
}

/** The domain in A-labels, lower case (a literal lower-cased as it is). */
function asciiDomain(domain: string): string {
  if (typeof domain !== "string" || domain === "") throw new InvalidArgumentError("a mail domain is empty");
  return domainToAscii(domain).toLowerCase();
}

/**
 * An address split at its last `@`, local part lower-cased (mailboxes here are not
 * case-sensitive), domain in A-labels.
 * @throws InvalidArgumentError when it is not a valid envelope address.
 */
function splitAddress(address: string): { local: string; domain: string } {
  if (!isValidEnvelopeAddress(address, { smtputf8: true })) {
    throw new InvalidArgumentError(
      `not a valid mail address: ${JSON.stringify(String(address).slice(0, 100))}`,
    );
  }
  const at = address.lastIndexOf("@");
  return { local: address.slice(0, at).toLowerCase(), domain: asciiDomain(address.slice(at + 1)) };
}

function addressKey(address: string): string {
  const { local, domain } = splitAddress(address);
  return `${local}@${domain}`;
}
