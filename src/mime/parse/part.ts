/**
 * One node of the parsed tree (types.ts {@link MimePart}) and the reading of its MIME headers:
 * Content-Type (RFC 2045 §5, defaults of RFC 2045 §5.2 and RFC 2046 §5.1.5), Content-Disposition
 * (RFC 2183), Content-ID (RFC 2045 §7) and Content-Transfer-Encoding (RFC 2045 §6).
 */
import { InvalidArgumentError } from "../../errors.js";
import { excerpt } from "../../textproto/excerpt.js";
import { Headers } from "../header/headers.js";
import { parseParameterized } from "../header/params.js";
import type { HeaderList, MimeDefect, MimePart } from "../types.js";

const NO_HEADERS: HeaderList = new Headers([]);

/** What happened to a part's body, which decides what `content()` does. */
type BodyState =
  | { kind: "none" }
  | { kind: "kept"; bytes: Buffer }
  | { kind: "streamed" }
  | { kind: "container" };

/** A node of the tree, filled in as the parser reads it. */
export class PartNode implements MimePart {
  headers: HeaderList = NO_HEADERS;
  contentType = "text/plain";
  params: Record<string, string> = {};
  disposition: string | undefined = undefined;
  filename: string | undefined = undefined;
  contentId: string | undefined = undefined;
  transferEncoding = "7bit";
  charset: string | undefined = undefined;
  decodedWith: string | undefined = undefined;
  size: number | undefined = undefined;
  readonly children: MimePart[] = [];
  readonly defects: MimeDefect[] = [];
  text: string | undefined = undefined;
  /** Containers (multiparts, message parts) above this part. */
  readonly depth: number;
  /** The `boundary` parameter of a multipart (trailing blanks removed), when usable. */
  boundary: string | undefined = undefined;
  #body: BodyState = { kind: "none" };

  constructor(depth: number) {
    this.depth = depth;
  }

  /** True for `multipart/*` parts read as multiparts (with a boundary). */
  get isMultipart(): boolean {
    return this.boundary !== undefined;
  }

  /** True for the message types whose body is parsed as a message (`message/rfc822`, `message/global`). */
  get isMessage(): boolean {
    return this.contentType === "message/rfc822" || this.contentType === "message/global";
  }

  /** Records the decoded body as kept. */
  keep(bytes: Buffer): void {
    this.#body = { kind: "kept", bytes };
  }

  /** Records that the body went to an `onAttachment` stream (or inside one) and was not kept. */
  markStreamed(): void {
    this.#body = { kind: "streamed" };
  }

  /** Records that the part is a multipart: its body is its children. */
  markContainer(): void {
    this.#body = { kind: "container" };
  }

  /**
   * The decoded body. Rejects with `InvalidArgumentError` when it was streamed to `onAttachment`
   * instead of kept, or when the part is a multipart (read its children).
   */
  content(): Promise<Buffer> {
    const body = this.#body;
    switch (body.kind) {
      case "kept":
        return Promise.resolve(body.bytes);
      case "none":
        return Promise.resolve(Buffer.alloc(0));
      case "streamed":
        return Promise.reject(
          new InvalidArgumentError("this part's body was streamed to onAttachment, not kept"),
        );
      case "container":
        return Promise.reject(
          new InvalidArgumentError(`a ${this.contentType} part has no body of its own; read its children`),
        );
    }
  }

  /**
   * Reads the MIME headers into the fields above. `inDigest`: the parent is multipart/digest,
   * whose parts default to message/rfc822 (RFC 2046 §5.1.5). Defects go to {@link defects}.
   */
  describe(headers: HeaderList, inDigest: boolean): void {
    this.headers = headers;
    const fallback = inDigest ? "message/rfc822" : "text/plain";
    const contentType = headers.get("content-type");
    if (contentType === undefined) {
      this.contentType = fallback;
    } else {
      const { value, defects } = parseParameterized(contentType);
      for (const defect of defects) this.defects.push(defect);
      this.params = value.params;
      if (MEDIA_TYPE.test(value.value)) {
        this.contentType = value.value;
      } else {
        this.contentType = fallback;
        this.defects.push({
          kind: "malformed-content-type",
          message: `Content-Type "${excerpt(contentType)}" is not type/subtype; ${fallback} assumed`,
        });
      }
    }
    const disposition = headers.get("content-disposition");
    let dispositionParams: Record<string, string> = {};
    if (disposition !== undefined) {
      const { value, defects } = parseParameterized(disposition);
      for (const defect of defects) this.defects.push(defect);
      dispositionParams = value.params;
      this.disposition = value.value === "" ? undefined : value.value;
    }
    this.filename = paramOf(dispositionParams, "filename") ?? paramOf(this.params, "name");
    const contentId = headers.get("content-id")?.trim();
    if (contentId) this.contentId = stripBrackets(contentId);
    const cte = headers.get("content-transfer-encoding");
    if (cte !== undefined) {
      // The mechanism is one token; some mailers add a comment or junk after it.
      const token = /^[^\s;(]*/.exec(cte.trim())![0].toLowerCase();
      if (token !== "") this.transferEncoding = token;
    }
    if (this.contentType.startsWith("text/")) {
      const charset = paramOf(this.params, "charset")?.trim().toLowerCase();
      this.charset = charset === "" ? undefined : charset;
    }
    if (this.contentType.startsWith("multipart/")) {
      const boundary = paramOf(this.params, "boundary")?.replace(/[ \t]+$/, "");
      if (boundary) {
        this.boundary = boundary;
      } else {
        // RFC 2046 §5.1.1 makes the parameter mandatory; without it the body is read as text.
        this.defects.push({
          kind: "missing-boundary",
          message: `${this.contentType} without a boundary parameter; its body was read as text/plain`,
        });
        this.contentType = "text/plain";
        this.charset = undefined;
      }
    }
  }
}

/** `type/subtype`, both RFC 2045 tokens (already lowercased by the parameter parser). */
const MEDIA_TYPE = /^[!#$%&'*+\-.^_`|~0-9a-z]+\/[!#$%&'*+\-.^_`|~0-9a-z]+$/;

/** An own property only: a parameter named `__proto__` or `constructor` is data, never inherited. */
function paramOf(params: Record<string, string>, name: string): string | undefined {
  return Object.hasOwn(params, name) ? params[name] : undefined;
}

function stripBrackets(id: string): string {
  const start = id.startsWith("<") ? 1 : 0;
  const end = id.endsWith(">") && id.length > start ? id.length - 1 : id.length;
  return id.slice(start, end).trim();
}
