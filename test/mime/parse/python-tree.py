"""Reads a message on stdin and prints its part tree as Python's email package sees it (JSON).

Each node: content type, file name, and for a leaf its decoded payload (base64); message/*
parts list their one child. Used by the parser tests as the oracle.
"""
import base64
import email
import json
import sys
from email import policy


def node(part):
    out = {"type": part.get_content_type(), "filename": part.get_filename(), "children": []}
    if part.is_multipart():
        out["children"] = [node(p) for p in part.get_payload()]
    else:
        payload = part.get_payload(decode=True)
        out["body"] = base64.b64encode(payload or b"").decode("ascii")
    return out


message = email.message_from_bytes(sys.stdin.buffer.read(), policy=policy.compat32)
print(json.dumps(node(message)))
