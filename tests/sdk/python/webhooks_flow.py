"""Verifies clerk-mock's webhook deliveries with the official PyPI `svix`
package, the way a Python app's webhook handler does, while the state changes
are made with the official `clerk-backend-api` SDK:

    .sdk/venv/bin/python tests/sdk/python/webhooks_flow.py http://127.0.0.1:PORT

A local receiver (http.server on a thread) is registered through
POST /__admin/webhooks; POST /__admin/webhooks/flush waits for the deliveries.
Every delivery must verify with svix's Webhook.verify; a tampered body or
another secret must raise WebhookVerificationError; a receiver down for a
while then up receives everything, once each, in order.

Every step prints `PASS <step>` or `FAIL <step>: <reason>`; the last line is
`N passed, M failed` and the exit code is non-zero when anything failed.
"""

import json
import secrets
import sys
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from clerk_backend_api import Clerk, models
from clerk_backend_api.utils import BackoffStrategy, RetryConfig
from svix.webhooks import Webhook, WebhookVerificationError

from harness import Check, check, configure, eq, finish, need, st, step

if len(sys.argv) != 2:
    print("usage: webhooks_flow.py <clerk-mock base URL, e.g. http://127.0.0.1:4000>", file=sys.stderr)
    sys.exit(2)

BASE_URL = sys.argv[1].rstrip("/")
SECRET = f"sk_test_{secrets.token_hex(16)}"
OTHER_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
NO_RETRIES = RetryConfig("none", BackoffStrategy(1, 1, 1.0, 1), False)
clerk = Clerk(bearer_auth=SECRET, server_url=BASE_URL + "/v1", retry_config=NO_RETRIES, timeout_ms=15_000)
rand = secrets.token_hex(6)


def describe_sdk_error(err):
    if isinstance(err, models.ClerkErrors):
        errs = ", ".join(f"{e.code} ({e.long_message})" for e in err.data.errors)
        return f"ClerkErrors status={err.status_code} errors=[{errs}]"
    return None


configure(describe_sdk_error=describe_sdk_error)

received = []


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers.get("content-length", "0"))).decode("utf-8")
        received.append({"headers": {k.lower(): v for k, v in self.headers.items()}, "body": body})
        self.send_response(200)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def serve(port=0):
    server = ThreadingHTTPServer(("127.0.0.1", port), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def admin(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(BASE_URL + path, method=method, data=data,
                                 headers={"Authorization": f"Bearer {SECRET}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as res:
        return json.loads(res.read())


def flush():
    return admin("POST", "/__admin/webhooks/flush?timeout_ms=20000")


def svix_headers(r):
    return {k: r["headers"][k] for k in ("svix-id", "svix-timestamp", "svix-signature")}


def verified(secret, r):
    """svix 2.x's verify raises on a bad signature and returns nothing: parse after it passes."""
    Webhook(secret).verify(r["body"], svix_headers(r))
    return json.loads(r["body"])


def refused(secret, body, headers, what):
    try:
        Webhook(secret).verify(body, headers)
    except WebhookVerificationError:
        return
    raise Check(f"{what}: expected WebhookVerificationError")


receiver = serve()
HOOK_URL = f"http://127.0.0.1:{receiver.server_address[1]}/clerk"


@step("register the receiver as an endpoint of the instance")
def _():
    ep = admin("POST", "/__admin/webhooks", {"url": HOOK_URL, "event_types": ["user.*"]})
    check(ep["secret"].startswith("whsec_"), f"secret {ep['secret']}")
    st["secret"] = ep["secret"]


@step("creating a user through the SDK delivers user.created")
def _():
    need("secret")
    user = clerk.users.create(email_address=[f"py-hook-{rand}@example.com"], first_name="Py")
    flush()
    eq([json.loads(r["body"])["type"] for r in received], ["user.created"], "event types")
    st["user"] = user


@step("svix's Webhook.verify accepts the delivery")
def _():
    user = need("user")
    payload = verified(st["secret"], received[0])
    eq(payload["data"]["id"], user.id, "data.id")
    eq(payload["object"], "event", "object")


@step("a tampered body or another secret raises WebhookVerificationError")
def _():
    need("user")
    r = received[0]
    tampered = r["body"].replace('"first_name":"Py"', '"first_name":"Mallory"')
    check(tampered != r["body"], "the body was changed")
    refused(st["secret"], tampered, svix_headers(r), "tampered body")
    refused(OTHER_SECRET, r["body"], svix_headers(r), "another secret")


@step("a receiver down for a while then up receives everything once, in order")
def _():
    need("secret")
    global receiver
    received.clear()
    port = receiver.server_address[1]
    receiver.shutdown()
    receiver.server_close()
    ids = [clerk.users.create(email_address=[f"py-down{i}-{rand}@example.com"]).id for i in range(4)]
    pending = admin("GET", "/__admin/webhooks/deliveries?status=pending")
    check(pending["total_count"] >= 1, f"pending deliveries while down: {pending['total_count']}")
    receiver = serve(port)
    flush()
    got = [verified(st["secret"], r)["data"]["id"] for r in received]
    eq(got, ids, "delivered user ids")


receiver.shutdown()
finish()
