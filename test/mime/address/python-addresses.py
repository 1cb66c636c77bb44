"""Parses address lists with Python's email.headerregistry (the oracle of the address tests).

Reads a JSON array of header values on stdin; writes a JSON array with, for each value, the
groups Python found (a bare mailbox is a group whose name is null) and the names of its defects.
"""
import json
import sys
from email.headerregistry import HeaderRegistry

registry = HeaderRegistry()
out = []
for value in json.load(sys.stdin):
    try:
        header = registry("To", value)
        groups = [
            {
                "group": group.display_name,
                "members": [[m.display_name, m.addr_spec] for m in group.addresses],
            }
            for group in header.groups
        ]
        defects = [type(d).__name__ for d in header.defects]
        out.append({"groups": groups, "defects": defects})
    except Exception as error:  # a crash of the oracle is an answer too
        out.append({"error": repr(error)})
json.dump(out, sys.stdout, ensure_ascii=False)
