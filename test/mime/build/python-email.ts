/**
 * The oracle for the builder's tests: Python's `email` package (policy.default) parses a batch
 * of messages in one python3 process and describes each as JSON.
 */
import { execFileSync } from "node:child_process";

/** One part as Python sees it. */
export interface PyPart {
  type: string;
  params: Record<string, string>;
  filename: string | null;
  disposition: string | null;
  cte: string | null;
  contentId: string | null;
  /** Decoded body bytes (transfer encoding removed) of a leaf, base64 in the JSON; null for containers. */
  body: Buffer | null;
  /** For text/* leaves: the body decoded with its charset. */
  text: string | null;
  defects: string[];
  children: PyPart[];
}

/** One message as Python sees it. */
export interface PyMessage {
  subject: string | null;
  /** [display name, addr-spec] pairs of each address header. */
  from: Array<[string, string]>;
  to: Array<[string, string]>;
  cc: Array<[string, string]>;
  replyTo: Array<[string, string]>;
  /** Header names in order, as written. */
  headerNames: string[];
  /** Decoded header values by lowercased name (first occurrence). */
  headers: Record<string, string>;
  defects: string[];
  root: PyPart;
}

const SCRIPT = `
import base64, json, sys
from email import message_from_bytes, message_from_string, policy

def addrs(msg, name):
    h = msg[name]
    if h is None:
        return []
    return [[a.display_name, a.addr_spec] for a in h.addresses]

def part(p):
    kids = []
    body = None
    text = None
    if p.is_multipart():
        kids = [part(c) for c in p.get_payload()]
    else:
        raw = p.get_payload(decode=True)
        body = base64.b64encode(raw or b"").decode()
        if p.get_content_maintype() == "text":
            text = p.get_content()
    params = {}
    for k, v in (p.get_params() or [])[1:]:
        params[k] = str(v)
    cid = p["content-id"]
    return {
        "type": p.get_content_type(),
        "params": params,
        "filename": p.get_filename(),
        "disposition": p.get_content_disposition(),
        "cte": p["content-transfer-encoding"] and str(p["content-transfer-encoding"]),
        "contentId": None if cid is None else str(cid),
        "body": body,
        "text": text,
        "defects": [type(d).__name__ for d in p.defects],
        "children": kids,
    }

out = []
for item in json.load(sys.stdin):
    raw = base64.b64decode(item["raw"])
    msg = message_from_bytes(raw, policy=policy.default)
    # Raw UTF-8 headers (RFC 6532): the bytes parser surrogate-escapes them, so header values
    # come from a parse of the text; bodies still come from the bytes parse.
    head = message_from_string(raw.decode("utf-8"), policy=policy.default) if item["utf8"] else msg
    headers = {}
    for k, v in head.items():
        headers.setdefault(k.lower(), str(v))
    out.append({
        "subject": None if head["subject"] is None else str(head["subject"]),
        "from": addrs(head, "from"),
        "to": addrs(head, "to"),
        "cc": addrs(head, "cc"),
        "replyTo": addrs(head, "reply-to"),
        "headerNames": list(head.keys()),
        "headers": headers,
        "defects": [type(d).__name__ for d in msg.defects],
        "root": part(msg),
    })
json.dump(out, sys.stdout)
`;

interface RawPart extends Omit<PyPart, "body" | "children"> {
  body: string | null;
  children: RawPart[];
}

function revive(part: RawPart): PyPart {
  return {
    ...part,
    body: part.body === null ? null : Buffer.from(part.body, "base64"),
    children: part.children.map(revive),
  };
}

/**
 * Parses every message with Python's email package, in one python3 process. A message given as
 * `{ raw, utf8: true }` has raw UTF-8 headers, which are read from a parse of the text (Python's
 * bytes parser would surrogate-escape them); its bodies still come from the bytes parse.
 */
export function pythonParse(messages: ReadonlyArray<Buffer | { raw: Buffer; utf8: boolean }>): PyMessage[] {
  const input = JSON.stringify(
    messages.map((m) =>
      Buffer.isBuffer(m)
        ? { raw: m.toString("base64"), utf8: false }
        : { raw: m.raw.toString("base64"), utf8: m.utf8 },
    ),
  );
  const output = execFileSync("python3", ["-c", SCRIPT], {
    input,
    encoding: "utf8",
    maxBuffer: 512 * 1024 * 1024,
  });
  const parsed = JSON.parse(output) as Array<Omit<PyMessage, "root"> & { root: RawPart }>;
  return parsed.map((m) => ({ ...m, root: revive(m.root) }));
}

/** The leaves of a part tree in document order. */
export function leaves(part: PyPart): PyPart[] {
  return part.children.length === 0 ? [part] : part.children.flatMap(leaves);
}

/** The tree's shape as a compact string: `multipart/mixed(text/plain,image/png)`. */
export function shape(part: PyPart): string {
  return part.children.length === 0 ? part.type : `${part.type}(${part.children.map(shape).join(",")})`;
}
