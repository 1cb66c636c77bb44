"""The Python side of the mbox and Maildir interop tests (standard library only).

Usage: python3 mailbox_oracle.py PLAN.json  -- prints one JSON object on stdout.

The plan says which mailboxes to read with Python's `mailbox` module and which to write with it:
  {"read_mbox": [path, ...], "read_maildir": [path, ...],
   "write_mbox": {"path": p, "messages": [{"from": "sender date", "b64": ...}, ...]},
   "write_maildir": {"path": p, "messages": [{"b64": ..., "flags": "FS" | null, "subdir": "new" | "cur"}]}}
Bytes travel as base64.
"""
import base64
import json
import mailbox
import sys


def b64(data):
    return base64.b64encode(data).decode("ascii")


def read_mbox(path):
    box = mailbox.mbox(path, create=False)
    try:
        out = []
        for key in box.iterkeys():
            start, stop = box._lookup(key)
            message = box.get_message(key)
            out.append({
                "from": message.get_from(),
                "subject": message["Subject"],
                "bytes": b64(box.get_bytes(key)),
                "start": start,
                "stop": stop,
            })
        return out
    finally:
        box.close()


def read_maildir(path):
    box = mailbox.Maildir(path, factory=None, create=False)
    out = {}
    for key in box.iterkeys():
        message = box.get_message(key)
        out[key] = {
            "subdir": message.get_subdir(),
            "flags": message.get_flags(),
            "info": message.get_info(),
            "bytes": b64(box.get_bytes(key)),
        }
    return out


def write_mbox(plan):
    box = mailbox.mbox(plan["path"], create=True)
    try:
        for message in plan["messages"]:
            # A bytes message that starts with "From " gives its first line as the From line.
            box.add(b"From " + message["from"].encode("ascii") + b"\n" + base64.b64decode(message["b64"]))
        box.flush()
    finally:
        box.close()


def write_maildir(plan):
    box = mailbox.Maildir(plan["path"], factory=None, create=True)
    keys = []
    for message in plan["messages"]:
        data = base64.b64decode(message["b64"])
        if message["flags"] is None and message["subdir"] == "new":
            keys.append(box.add(data))  # raw bytes: stored as they are, in new/
        else:
            msg = mailbox.MaildirMessage(data)
            msg.set_subdir(message["subdir"])
            if message["flags"] is not None:
                msg.set_flags(message["flags"])
            keys.append(box.add(msg))
    return keys


def main():
    with open(sys.argv[1], encoding="utf-8") as handle:
        plan = json.load(handle)
    result = {"mbox": {}, "maildir": {}}
    if "write_mbox" in plan:
        write_mbox(plan["write_mbox"])
    if "write_maildir" in plan:
        result["maildir_keys"] = write_maildir(plan["write_maildir"])
    for path in plan.get("read_mbox", []):
        result["mbox"][path] = read_mbox(path)
    for path in plan.get("read_maildir", []):
        result["maildir"][path] = read_maildir(path)
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
