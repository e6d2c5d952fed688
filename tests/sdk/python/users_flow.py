"""Drives the official PyPI `clerk-backend-api` SDK against a running clerk-mock.

    .sdk/venv/bin/python tests/sdk/python/users_flow.py http://127.0.0.1:PORT

Every step prints `PASS <step>` or `FAIL <step>: <reason>`; the last line is
`N passed, M failed` and the exit code is non-zero when anything failed.
Each run uses a fresh random secret key, so it gets its own isolated instance; counts are
checked relative to what the instance holds at the start (the mock may load fixtures).
"""

import enum
import json
import secrets
import sys

from clerk_backend_api import Clerk, models
from clerk_backend_api.utils import BackoffStrategy, RetryConfig

# tests/sdk/python/harness.py: Python puts the script's own directory first on sys.path.
from harness import Check, check, configure, describe, eq, finish, need, st, step

if len(sys.argv) != 2:
    print("usage: users_flow.py <clerk-mock base URL, e.g. http://127.0.0.1:4000>", file=sys.stderr)
    sys.exit(2)

BASE_URL = sys.argv[1].rstrip("/")
# The SDK retries 5xx with backoff for up to an hour by default: fail fast instead.
NO_RETRIES = RetryConfig("none", BackoffStrategy(1, 1, 1.0, 1), False)
TIMEOUT_MS = 15_000


def new_client() -> Clerk:
    return Clerk(
        bearer_auth=f"sk_test_{secrets.token_hex(16)}",
        server_url=BASE_URL + "/v1",
        retry_config=NO_RETRIES,
        timeout_ms=TIMEOUT_MS,
    )


clerk = new_client()
rand = secrets.token_hex(6)
EMAIL = f"ada.{rand}@example.com"
SECOND_EMAIL = f"ada.work.{rand}@example.com"
PASSWORD = "Sdk-flow-password-7391!"
EXTERNAL_ID = f"ext_{rand}"

def plain(v):
    """Enums to their values, recursively, so results compare with plain JSON."""
    if isinstance(v, enum.Enum):
        return v.value
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    return v


def error_codes(err):
    """Clerk error codes from an SDK exception: ClerkErrors carries them parsed;
    other ClerkBaseError subclasses (SDKError) carry the raw JSON body."""
    if isinstance(err, models.ClerkErrors):
        return [e.code for e in err.data.errors]
    body = getattr(err, "body", None)
    if body:
        try:
            return [e.get("code") for e in json.loads(body).get("errors", [])]
        except (ValueError, AttributeError):
            pass
    return []


def describe_sdk_error(err):
    if isinstance(err, models.ClerkErrors):
        errs = ", ".join(f"{e.code} ({e.message}; {e.long_message})" for e in err.data.errors)
        return f"ClerkErrors status={err.status_code} errors=[{errs}]"
    if isinstance(err, models.ResponseValidationError):
        return (f"ResponseValidationError status={err.status_code}: {str(err.cause)[:1500]} "
                f"| body: {(err.body or '')[:300]}")
    if isinstance(err, models.ClerkBaseError):
        return f"{type(err).__name__} status={err.status_code} body={(err.body or '')[:500]}"
    return None


# eq compares and shows plain JSON values; a step's TypeError & co. prints its last two frames.
configure(
    describe_sdk_error=describe_sdk_error,
    normalize=plain,
    show=lambda v: json.dumps(v, sort_keys=True, default=str),
    traceback_limit=-2,
    traceback_chain=False,
)


def expect_api_error(fn, what):
    """Expect `fn` to raise an SDK HTTP error (ClerkErrors or SDKError); returns it."""
    try:
        result = fn()
    except (models.ClerkErrors, models.SDKError) as err:
        return err
    except Exception as err:  # noqa: BLE001 - reported as a failure
        raise Check(f"{what}: expected a ClerkErrors/SDKError, got {describe(err)}") from err
    raise Check(f"{what}: expected an error, but it succeeded with {str(result)[:300]}")


@step("read the instance's starting counts")
def _():
    st["base_users"] = clerk.users.count().total_count
    # Without paginated=true both lists answer bare arrays; 500 is the spec's maximum page.
    st["base_invitations"] = len(clerk.invitations.list(limit=500))
    st["base_allowlist"] = len(clerk.allowlist_identifiers.list(limit=500))


@step("create user")
def _():
    u = clerk.users.create(
        email_address=[EMAIL],
        password=PASSWORD,
        first_name="Ada",
        last_name="Lovelace",
        external_id=EXTERNAL_ID,
        public_metadata={"tier": "gold", "role": "admin", "nested": {"a": 1, "b": 2}},
    )
    check(u.id.startswith("user_"), f"id should start with user_, got {u.id}")
    st["user_id"] = u.id
    eq(u.first_name, "Ada", "first_name")
    eq(u.last_name, "Lovelace", "last_name")
    eq(u.external_id, EXTERNAL_ID, "external_id")
    eq(u.public_metadata, {"tier": "gold", "role": "admin", "nested": {"a": 1, "b": 2}}, "public_metadata")
    eq([e.email_address for e in u.email_addresses], [EMAIL], "email_addresses")
    eq(u.primary_email_address_id, u.email_addresses[0].id, "primary_email_address_id")
    eq(u.password_enabled, True, "password_enabled")
    eq(u.banned, False, "banned")


@step("get user")
def _():
    u = clerk.users.get(user_id=need("user_id"))
    eq(u.id, st["user_id"], "id")
    eq([e.email_address for e in u.email_addresses], [EMAIL], "email_addresses")
    eq(u.external_id, EXTERNAL_ID, "external_id")


@step("create two more users")
def _():
    for n in (1, 2):
        clerk.users.create(
            email_address=[f"other{n}.{rand}@example.com"],
            first_name=f"Other{n}",
            skip_password_requirement=True,
        )


@step("list users filtered by email address")
def _():
    users = clerk.users.list(request={"email_address": [EMAIL]})
    eq([u.id for u in users], [need("user_id")], "ids")


@step("list users with a limit")
def _():
    total = need("base_users") + 3
    page = clerk.users.list(request={"limit": 2})
    eq(len(page), 2, "page length")
    rest = clerk.users.list(request={"limit": 2, "offset": 2})
    eq(len(rest), min(2, total - 2), "second page length")
    eq(len({u.id for u in page + rest}), len(page) + len(rest), "distinct users over both pages")


@step("count users")
def _():
    eq(clerk.users.count().total_count, need("base_users") + 3, "count()")
    eq(clerk.users.count(request={"email_address": [EMAIL]}).total_count, 1, "count(email_address)")


@step("update first name")
def _():
    u = clerk.users.update(user_id=need("user_id"), first_name="Augusta")
    eq(u.first_name, "Augusta", "first_name in response")
    eq(u.last_name, "Lovelace", "last_name untouched")
    eq(clerk.users.get(user_id=st["user_id"]).first_name, "Augusta", "first_name after get")


@step("merge user metadata (null deletes a key)")
def _():
    u = clerk.users.update_metadata(
        user_id=need("user_id"),
        public_metadata={"tier": None, "plan": "pro", "nested": {"b": 3}},
        private_metadata={"secret": "s1"},
    )
    want = {"role": "admin", "plan": "pro", "nested": {"a": 1, "b": 3}}
    eq(u.public_metadata, want, "public_metadata")
    eq(u.private_metadata, {"secret": "s1"}, "private_metadata")
    eq(clerk.users.get(user_id=st["user_id"]).public_metadata, want, "public_metadata after get")


@step("verify password (right)")
def _():
    res = clerk.users.verify_password(user_id=need("user_id"), password=PASSWORD)
    eq(res.verified, True, "verified")


@step("verify password (wrong) fails with form_password_incorrect")
def _():
    user_id = need("user_id")
    err = expect_api_error(
        lambda: clerk.users.verify_password(user_id=user_id, password="definitely-wrong-pw"),
        "verify_password",
    )
    eq(error_codes(err)[:1], ["form_password_incorrect"], f"error code (status {err.status_code})")


@step("second user with the same email fails with form_identifier_exists")
def _():
    err = expect_api_error(
        lambda: clerk.users.create(email_address=[EMAIL], password="Another-pass-8120!"),
        "users.create duplicate",
    )
    check(isinstance(err, models.ClerkErrors),
          f"expected ClerkErrors (parsed error body), got {describe(err)}")
    eq(err.data.errors[0].code, "form_identifier_exists", "error code")
    eq(err.status_code, 422, "status")


@step("ban and unban user")
def _():
    eq(clerk.users.ban(user_id=need("user_id")).banned, True, "banned after ban")
    eq(clerk.users.get(user_id=st["user_id"]).banned, True, "banned after get")
    eq(clerk.users.unban(user_id=st["user_id"]).banned, False, "banned after unban")


@step("create an email address and fetch it")
def _():
    e = clerk.email_addresses.create(request={
        "user_id": need("user_id"),
        "email_address": SECOND_EMAIL,
        "verified": True,
        "primary": False,
    })
    eq(e.email_address, SECOND_EMAIL, "email_address")
    check(e.id.startswith("idn_"), f"id should start with idn_, got {e.id}")
    got = clerk.email_addresses.get(email_address_id=e.id)
    eq(got.id, e.id, "id from get")
    eq(got.email_address, SECOND_EMAIL, "email_address from get")
    u = clerk.users.get(user_id=st["user_id"])
    eq(sorted(x.email_address for x in u.email_addresses), sorted([EMAIL, SECOND_EMAIL]),
       "user's email addresses")


@step("create and list invitations")
def _():
    inv_email = f"invitee.{rand}@example.com"
    inv = clerk.invitations.create(request={
        "email_address": inv_email,
        "public_metadata": {"source": "sdk-flow"},
        "notify": False,
    })
    check(inv.id.startswith("inv_"), f"id should start with inv_, got {inv.id}")
    eq(inv.email_address, inv_email, "email_address")
    eq(inv.status, "pending", "status")
    eq(inv.public_metadata, {"source": "sdk-flow"}, "public_metadata")
    invs = clerk.invitations.list(limit=500)
    check(inv.id in [i.id for i in invs], f"new invitation {inv.id} not in the list")
    eq(len(invs), need("base_invitations") + 1, "invitation count")
    eq(invs[0].id, inv.id, "newest invitation first")
    pending = clerk.invitations.list(status="pending", limit=500)
    check(inv.id in [i.id for i in pending], "new invitation not in the pending list")
    eq(sorted({i.status for i in pending}, key=str), ["pending"], "statuses in the status=pending list")


@step("allowlist identifier create, list, delete")
def _():
    ident = f"allowed.{rand}@example.com"
    a = clerk.allowlist_identifiers.create(request={"identifier": ident, "notify": False})
    eq(a.identifier, ident, "identifier")
    eq(a.identifier_type, "email_address", "identifier_type")
    base = need("base_allowlist")
    ids = [x.id for x in clerk.allowlist_identifiers.list(limit=500)]
    check(a.id in ids, f"new identifier {a.id} not in the list")
    eq(len(ids), base + 1, "allowlist size")
    d = clerk.allowlist_identifiers.delete(identifier_id=a.id)
    eq(d.deleted, True, "deleted")
    eq(d.id, a.id, "deleted id")
    after = [x.id for x in clerk.allowlist_identifiers.list(limit=500)]
    check(a.id not in after, "deleted identifier still listed")
    eq(len(after), base, "allowlist size after delete")


@step("another secret key sees an isolated instance")
def _():
    other = new_client()
    eq(other.users.count().total_count, need("base_users"), "user count of a fresh instance (= this one's at start)")
    eq(other.users.list(request={"email_address": [EMAIL]}), [], "our user seen from the other key")


@step("delete user, then get fails with 404")
def _():
    d = clerk.users.delete(user_id=need("user_id"))
    eq(d.deleted, True, "deleted")
    eq(d.id, st["user_id"], "deleted id")
    err = expect_api_error(lambda: clerk.users.get(user_id=st["user_id"]), "users.get after delete")
    eq(err.status_code, 404, f"status (codes {error_codes(err)})")
    check(isinstance(err, models.ClerkErrors), f"expected ClerkErrors for the 404, got {describe(err)}")
    eq(clerk.users.count().total_count, st["base_users"] + 2, "count after delete")


finish()
