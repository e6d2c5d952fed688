#!/usr/bin/env python3
"""First-request latencies of fresh instances (scripts/bench.sh runs it).

    python3 scripts/bench_first.py --url http://127.0.0.1:PORT --ceiling http://127.0.0.1:PORT2 --keys 200

For each of --keys never-seen secret keys, sequentially, on one kept-alive connection:

- instance: times the first request of a fresh key, `GET /v1/users?limit=10` (the request
  that creates the instance: its initial data, keys, indexes);
- token: with another fresh key, creates a user and a session (not timed), then times the
  instance's first `POST /v1/sessions/{id}/tokens` (RS256 session token);
- ceiling: times a `GET /v1/users?limit=10` to the bare hyper ceiling, the same way, as the
  floor this client and loopback put under every figure.

Prints one JSON object: {"keys": N, "instance_ms": {"p50", "p99", "max"}, "token_ms": {…},
"ceiling_ms": {…}, "failures": [...]}. Loopback only; a bounded number of requests.
"""
import argparse
import http.client
import json
import math
import sys
import time
import urllib.parse

API_VERSION = "2025-11-10"


def percentile(values, p):
    """Nearest-rank percentile of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100.0 * len(ordered)))
    return ordered[rank - 1]


def summary(values):
    if not values:
        return {"p50": None, "p99": None, "max": None}
    return {
        "p50": round(percentile(values, 50), 3),
        "p99": round(percentile(values, 99), 3),
        "max": round(max(values), 3),
    }


class Client:
    """One kept-alive HTTP/1.1 connection to a loopback server."""

    def __init__(self, url):
        parts = urllib.parse.urlsplit(url)
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)

    def call(self, method, path, key=None, body=None):
        """Returns (status, parsed JSON or None, milliseconds from send to the whole body)."""
        headers = {"Clerk-API-Version": API_VERSION}
        if key:
            headers["Authorization"] = "Bearer " + key
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        t0 = time.perf_counter()
        self.conn.request(method, path, body=data, headers=headers)
        resp = self.conn.getresponse()
        raw = resp.read()
        ms = (time.perf_counter() - t0) * 1000.0
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        return resp.status, parsed, ms


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", required=True, help="clerk-mock base URL")
    ap.add_argument("--ceiling", required=True, help="ceiling base URL")
    ap.add_argument("--keys", type=int, default=200, help="fresh secret keys per measure")
    ap.add_argument("--prefix", default="sk_test_first_%d" % int(time.time()), help="prefix of the fresh keys")
    args = ap.parse_args()

    mock = Client(args.url)
    ceiling = Client(args.ceiling)
    instance_ms, token_ms, ceiling_ms, failures = [], [], [], []

    for i in range(args.keys):
        status, _, ms = ceiling.call("GET", "/v1/users?limit=10")
        if status == 200:
            ceiling_ms.append(ms)

        status, _, ms = mock.call("GET", "/v1/users?limit=10", key="%s_i%d" % (args.prefix, i))
        if status == 200:
            instance_ms.append(ms)
        else:
            failures.append("instance %d: GET /v1/users answered %d" % (i, status))

        key = "%s_t%d" % (args.prefix, i)
        status, user, _ = mock.call("POST", "/v1/users", key=key, body={
            "email_address": ["first-%d@example.com" % i], "first_name": "First", "skip_password_requirement": True})
        if status != 200 or not isinstance(user, dict):
            failures.append("token %d: POST /v1/users answered %d" % (i, status))
            continue
        status, session, _ = mock.call("POST", "/v1/sessions", key=key, body={"user_id": user["id"]})
        if status != 200 or not isinstance(session, dict):
            failures.append("token %d: POST /v1/sessions answered %d" % (i, status))
            continue
        status, token, ms = mock.call("POST", "/v1/sessions/%s/tokens" % session["id"], key=key, body={})
        if status == 200 and isinstance(token, dict) and token.get("jwt"):
            token_ms.append(ms)
        else:
            failures.append("token %d: POST /v1/sessions/{id}/tokens answered %d" % (i, status))

    json.dump({
        "keys": args.keys,
        "instance_ms": summary(instance_ms),
        "token_ms": summary(token_ms),
        "ceiling_ms": summary(ceiling_ms),
        "failures": failures[:10],
        "failure_count": len(failures),
    }, sys.stdout)
    sys.stdout.write("\n")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
