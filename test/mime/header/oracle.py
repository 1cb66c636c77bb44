"""Python's email package as the oracle for test/mime/header: reads {"mode", "cases"} as JSON on
stdin, writes one JSON result per case (a list) on stdout. One process per test file."""
import base64
import json
import sys
from email import message_from_bytes, message_from_string, policy
from email.header import decode_header, make_header
from email.utils import parsedate_to_datetime
from datetime import timezone


def decode_default(value):
    msg = message_from_string("Subject: " + value + "\n\n", policy=policy.default)
    return str(msg["Subject"])


def decode_legacy(value):
    try:
        return str(make_header(decode_header(value)))
    except Exception as e:  # noqa: BLE001 - the oracle reports any failure
        return {"error": type(e).__name__}


def date(value):
    try:
        d = parsedate_to_datetime(value)
    except Exception:  # noqa: BLE001
        return None
    if d is None:
        return None
    naive = d.tzinfo is None
    if naive:
        d = d.replace(tzinfo=timezone.utc)
    return {"ms": round(d.timestamp() * 1000), "naive": naive}


def params(value):
    msg = message_from_string("Content-Type: " + value + "\n\n", policy=policy.default)
    header = msg["Content-Type"]
    return {"type": msg.get_content_type(), "params": {k: str(v) for k, v in header.params.items()}}


def disposition(value):
    msg = message_from_string("Content-Disposition: " + value + "\n\n", policy=policy.default)
    return {"filename": msg.get_filename()}


def headers(value):
    raw = base64.b64decode(value)
    msg = message_from_bytes(raw, policy=policy.compat32)
    items = []
    for name, v in msg._headers:
        if isinstance(v, str):
            v = v.encode("ascii", "surrogateescape").decode("latin-1")
        items.append([name, v])
    return {"items": items, "body": msg.get_payload() if isinstance(msg.get_payload(), str) else None}


MODES = {
    "decode-default": decode_default,
    "decode-legacy": decode_legacy,
    "date": date,
    "params": params,
    "disposition": disposition,
    "headers": headers,
}

request = json.load(sys.stdin)
fn = MODES[request["mode"]]
json.dump([fn(c) for c in request["cases"]], sys.stdout)
