#!/usr/bin/env python3
"""The oracle side of the MIME interop tests: how Python's email package reads messages.

Usage: python3 dump.py FILE...   (one process for any number of files)

For each file, parses it with email.message_from_binary_file(f, policy=email.policy.default) and
prints one JSON document: a list with, per file, the decoded Subject, the From/To/Cc address
groups (through email.headerregistry), the defects Python found in header values, the main text
and HTML bodies (get_body) and the part tree. Each node of the
tree carries its content type, charset and boundary parameters, get_filename(), the disposition,
the raw Content-ID, its defects, its children (multipart and message/rfc822), and for a leaf the
length and SHA-256 of get_payload(decode=True); a text leaf also carries the SHA-256 of
get_content(), or the error Python raised instead. Standard library only.

Each file is parsed twice. "root" is the tree message_from_binary_file makes (the documented
entry point, and what every other field comes from). It reads the bytes through a TextIOWrapper in
universal-newline mode, so the CR of every CRLF (and a bare CR) is gone from unencoded bodies
before they are decoded. "exactRoot" is the same bytes parsed with message_from_bytes, which keeps
line endings as they are; the tests compare decoded body bytes and text against that tree.
"""
import email
import email.policy
import hashlib
import json
import sys


def digest(data):
    return hashlib.sha256(data).hexdigest()


def describe_error(error):
    return "%s: %s" % (type(error).__name__, error)


def header_text(part, name):
    """The decoded value of a header as str(), None when absent, or {"error": ...}."""
    try:
        value = part[name]
    except Exception as error:  # a header Python cannot even build
        return {"error": describe_error(error)}
    return None if value is None else str(value)


def address_groups(message, name):
    """[{group, members: [{name, addr}]}]; a mailbox outside any group has group None."""
    try:
        header = message[name]
        if header is None:
            return []
        return [
            {
                "group": group.display_name,
                "members": [{"name": a.display_name, "addr": a.addr_spec} for a in group.addresses],
            }
            for group in header.groups
        ]
    except Exception as error:
        return {"error": describe_error(error)}


def header_defects(message):
    """Defects Python found in header values, anywhere in the message: ["Subject: NameOfDefect", ...]."""
    found = []
    for part in message.walk():
        for name, value in part.items():
            for defect in getattr(value, "defects", ()):
                found.append("%s: %s" % (name, type(defect).__name__))
    return found


def text_content(part):
    try:
        text = part.get_content()
    except Exception as error:
        return {"error": describe_error(error)}
    data = text.encode("utf-8", "surrogatepass")
    return {"sha256": digest(data), "length": len(data), "head": text[:60]}


def node(part):
    result = {
        "contentType": part.get_content_type(),
        "charset": part.get_content_charset(),
        "boundary": part.get_boundary(),
        "filename": part.get_filename(),
        "disposition": part.get_content_disposition(),
        "contentId": header_text(part, "content-id"),
        "subject": header_text(part, "subject"),
    }
    if part.is_multipart():
        result["children"] = [node(child) for child in part.get_payload()]
    else:
        result["children"] = []
        payload = part.get_payload(decode=True)
        if isinstance(payload, str):  # only for undecodable bodies; keep the bytes Python kept
            payload = payload.encode("ascii", "surrogateescape")
        result["body"] = {"length": len(payload), "sha256": digest(payload)}
        if part.get_content_maintype() == "text":
            result["text"] = text_content(part)
    # Last: decoding the body above adds its defects (bad base64, ...) to the part's list.
    result["defects"] = list(dict.fromkeys(type(d).__name__ for d in part.defects))
    return result


def main_body(message, subtype):
    """get_body(preferencelist=(subtype,)): the text/<subtype> part a reader shows, or None."""
    try:
        part = message.get_body(preferencelist=(subtype,))
    except Exception as error:
        return {"error": describe_error(error)}
    return None if part is None else text_content(part)


def dump(path):
    try:
        with open(path, "rb") as f:
            message = email.message_from_binary_file(f, policy=email.policy.default)
        with open(path, "rb") as f:
            exact = email.message_from_bytes(f.read(), policy=email.policy.default)
        return {
            "file": path,
            "subject": header_text(message, "subject"),
            "from": address_groups(message, "from"),
            "to": address_groups(message, "to"),
            "cc": address_groups(message, "cc"),
            "headerDefects": header_defects(message),
            "mainText": main_body(exact, "plain"),
            "mainHtml": main_body(exact, "html"),
            "root": node(message),
            "exactRoot": node(exact),
        }
    except Exception as error:
        return {"file": path, "error": describe_error(error)}


def main(paths):
    json.dump([dump(path) for path in paths], sys.stdout, ensure_ascii=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1:])
