#!/usr/bin/env python3
"""Writes the fuzzing copy of one of Clerk's Backend API specs (used by scripts/fuzz-ci.sh and
scripts/fuzz.sh; never committed, written to a temp dir).

    python3 scripts/fuzz_spec.py ../shared/clerk-openapi/bapi-2026-05-12.json /tmp/x/fuzz.json

Clerk's documents under-declare two things every Clerk answer does, so schemathesis would
report the mock for answering like Clerk. This transform adds exactly those and changes
nothing else about the spec (paths, parameters, bodies and the declared responses stay as
they are):

1. The universal error answers. Clerk answers 400 (malformed body), 401 (bad key), 404
   (unknown id or path), 405 (method not allowed) and 422 (invalid parameters) on every
   operation, always in its error envelope; where an operation omits one of these statuses
   it gets `#/components/responses/ClerkErrors` (the envelope the spec itself defines), or an
   inline copy of that envelope when the document has no such component.
2. The paginated alternative. An operation that declares the `paginated` query parameter and
   a bare-array 2xx answer is answered `{data, total_count}` by Clerk when `paginated=true`
   (the Node SDK relies on it); its 2xx schema becomes `anyOf: [the declared array,
   {data: that array, total_count: integer}]`.
"""

import json
import sys

UNIVERSAL_ERRORS = ["400", "401", "404", "405", "422"]
METHODS = {"get", "put", "post", "delete", "patch", "options", "head", "trace"}

# Clerk's error envelope, for a document without components.responses.ClerkErrors.
ENVELOPE = {
    "type": "object",
    "required": ["errors"],
    "properties": {
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["message", "long_message", "code"],
                "properties": {
                    "message": {"type": "string"},
                    "long_message": {"type": "string"},
                    "code": {"type": "string"},
                    "meta": {"type": "object"},
                },
            },
        },
        "clerk_trace_id": {"type": "string"},
    },
}


def resolve(doc, node):
    for _ in range(16):
        ref = node.get("$ref") if isinstance(node, dict) else None
        if not (isinstance(ref, str) and ref.startswith("#/")):
            return node
        target = doc
        for part in ref[2:].split("/"):
            target = target.get(part.replace("~1", "/").replace("~0", "~"), {})
        node = target
    return node


def declares_paginated(doc, item, op):
    for p in list(item.get("parameters", [])) + list(op.get("parameters", [])):
        p = resolve(doc, p)
        if p.get("in") == "query" and p.get("name") == "paginated":
            return True
    return False


def paginate(doc, responses):
    """Adds the {data, total_count} alternative to bare-array 2xx answers; returns how many."""
    changed = 0
    for status, response in list(responses.items()):
        if not status.startswith("2"):
            continue
        response = resolve(doc, response)
        media = response.get("content", {}).get("application/json")
        if not media or "schema" not in media:
            continue
        if resolve(doc, media["schema"]).get("type") != "array":
            continue
        declared = media["schema"]
        # A $ref'd response object is shared between operations: copy it before changing it.
        responses[status] = dict(response, content=dict(response["content"]))
        responses[status]["content"]["application/json"] = dict(media, schema={
            "anyOf": [
                declared,
                {
                    "type": "object",
                    "required": ["data", "total_count"],
                    "properties": {"data": declared, "total_count": {"type": "integer"}},
                },
            ]
        })
        changed += 1
    return changed


def transform(doc):
    has_component = "ClerkErrors" in doc.get("components", {}).get("responses", {})
    error = (
        {"$ref": "#/components/responses/ClerkErrors"}
        if has_component
        else {"description": "Clerk's error envelope", "content": {"application/json": {"schema": ENVELOPE}}}
    )
    added = paginated = 0
    for item in doc.get("paths", {}).values():
        for method, op in item.items():
            if method not in METHODS or not isinstance(op, dict):
                continue
            responses = op.setdefault("responses", {})
            for status in UNIVERSAL_ERRORS:
                if status not in responses:
                    responses[status] = dict(error)
                    added += 1
            if declares_paginated(doc, item, op):
                paginated += paginate(doc, responses)
    return added, paginated


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: fuzz_spec.py SPEC.json OUT.json")
    with open(sys.argv[1]) as f:
        doc = json.load(f)
    added, paginated = transform(doc)
    with open(sys.argv[2], "w") as f:
        json.dump(doc, f)
    print(f"fuzz_spec: {sys.argv[1]}: +{added} universal error answers, {paginated} paginated alternatives", file=sys.stderr)


if __name__ == "__main__":
    main()
