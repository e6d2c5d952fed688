"""Verifies session tokens minted by clerk-mock with the official PyPI
`clerk-backend-api` SDK, the way an app's backend does in its tests:

    .sdk/venv/bin/python tests/sdk/python/tokens_flow.py http://127.0.0.1:PORT

`verify_token` with the JWKS fetched from the mock (secret_key + api_url) and
with the PEM public key (jwt_key), and `authenticate_request` on a request with
an Authorization header must accept a fresh token; an expired token and a token
signed before a key rotation must be refused. (`authenticate_request` is given
the PEM: with only a secret key, this SDK version fetches the JWKS from
api.clerk.com, whatever the client's server_url.)

Every step prints `PASS <step>` or `FAIL <step>: <reason>`; the last line is
`N passed, M failed` and the exit code is non-zero when anything failed. The
expiry step waits for a 30-second token (the shortest lifetime the API allows)
plus the SDK's 5-second leeway, so the flow takes about 40 seconds.
"""

import base64
import json
import secrets
import subprocess
import sys
import time
import urllib.request

import httpx
from clerk_backend_api import Clerk, models
from clerk_backend_api.security import AuthenticateRequestOptions, authenticate_request, verify_token
from clerk_backend_api.security.types import TokenVerificationError, TokenVerificationErrorReason, VerifyTokenOptions
from clerk_backend_api.utils import BackoffStrategy, RetryConfig

# tests/sdk/python/harness.py: Python puts the script's own directory first on sys.path.
from harness import Check, check, configure, eq, finish, need, st, step

if len(sys.argv) != 2:
    print("usage: tokens_flow.py <clerk-mock base URL, e.g. http://127.0.0.1:4000>", file=sys.stderr)
    sys.exit(2)

BASE_URL = sys.argv[1].rstrip("/")
SECRET = f"sk_test_{secrets.token_hex(16)}"
NO_RETRIES = RetryConfig("none", BackoffStrategy(1, 1, 1.0, 1), False)
LEEWAY_S = 5  # the SDK's default clock_skew_in_ms
clerk = Clerk(bearer_auth=SECRET, server_url=BASE_URL + "/v1", retry_config=NO_RETRIES, timeout_ms=15_000)
rand = secrets.token_hex(6)

def describe_sdk_error(err):
    if isinstance(err, models.ClerkErrors):
        errs = ", ".join(f"{e.code} ({e.long_message})" for e in err.data.errors)
        return f"ClerkErrors status={err.status_code} errors=[{errs}]"
    if isinstance(err, models.ClerkBaseError):
        return f"{type(err).__name__} status={err.status_code} body={(err.body or '')[:500]}"
    if isinstance(err, TokenVerificationError):
        return f"TokenVerificationError reason={err.reason}"
    return None


configure(describe_sdk_error=describe_sdk_error)


def admin(method, path):
    req = urllib.request.Request(BASE_URL + path, method=method, headers={"Authorization": f"Bearer {SECRET}"})
    with urllib.request.urlopen(req, timeout=15) as res:
        return json.loads(res.read())


def claims_of(jwt):
    part = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def remote():
    return VerifyTokenOptions(secret_key=SECRET, api_url=BASE_URL)


def refused(token, options, what):
    """Expects verify_token to refuse; returns the reason."""
    try:
        claims = verify_token(token, options)
    except TokenVerificationError as err:
        return err.reason
    raise Check(f"{what}: expected a refusal, got claims {json.dumps(claims)[:200]}")


def request_with(jwt):
    return httpx.Request("GET", "http://localhost:3000/api/me", headers={"Authorization": f"Bearer {jwt}"})


@step("health advertises a publishable key whose host is the issuer's")
def _():
    with urllib.request.urlopen(BASE_URL + "/__admin/health", timeout=15) as res:
        health = json.loads(res.read())
    pk = health["publishable_key"]
    check(pk.startswith("pk_test_"), f"publishable_key {pk}")
    host = base64.b64decode(pk.split("_")[2]).decode()
    check(host.endswith("$") and "." in host, f"decoded key {host}")
    eq("https://" + host[:-1], health["issuer"], "issuer")
    st["issuer"] = health["issuer"]


@step("create a user, an organization they administer and a session in it")
def _():
    user = clerk.users.create(email_address=[f"tok.{rand}@example.com"], first_name="Tok")
    org = clerk.organizations.create(request={"name": f"Tokens {rand}", "created_by": user.id})
    session = clerk.sessions.create(request={"user_id": user.id, "active_organization_id": org.id})
    eq(session.status.value if hasattr(session.status, "value") else session.status, "active", "session status")
    st.update(user_id=user.id, org_id=org.id, org_slug=org.slug, session_id=session.id)


@step("mint a 30-second token and a default one")
def _():
    short = clerk.sessions.create_token(session_id=need("session_id"), expires_in_seconds=30).jwt
    c = claims_of(short)
    eq(c["exp"] - c["iat"], 30, "short lifetime")
    st.update(short_jwt=short, short_exp=c["exp"])
    st["jwt"] = clerk.sessions.create_token(session_id=st["session_id"]).jwt
    d = claims_of(st["jwt"])
    eq(d["exp"] - d["iat"], 60, "default lifetime")


@step("verify_token with the JWKS fetched from the mock accepts it")
def _():
    claims = verify_token(need("jwt"), remote())
    eq(claims["sub"], st["user_id"], "sub")
    eq(claims["sid"], st["session_id"], "sid")
    eq(claims["iss"], st["issuer"], "iss")
    eq(claims["v"], 2, "v")
    eq(claims["o"]["id"], st["org_id"], "o.id")
    check("aud" not in claims, "no aud claim")


@step("verify_token with the PEM public key (jwt_key) accepts it")
def _():
    st["pem"] = admin("GET", "/__admin/signing_key")["public_key_pem"]
    claims = verify_token(need("jwt"), VerifyTokenOptions(jwt_key=st["pem"]))
    eq(claims["sid"], st["session_id"], "sid")


@step("authenticate_request accepts the token in an Authorization header")
def _():
    state = authenticate_request(request_with(need("jwt")), AuthenticateRequestOptions(jwt_key=need("pem")))
    check(state.is_signed_in, f"signed out: {state.reason}")
    auth = state.to_auth()  # a SessionAuthObjectV2 for a v2 token
    eq(type(auth).__name__, "SessionAuthObjectV2", "auth object")
    eq(auth.sub, st["user_id"], "sub")
    eq(auth.sid, st["session_id"], "sid")
    eq(auth.org_id, st["org_id"], "org_id")
    eq(auth.org_role, "admin", "org_role (v2 `rol`)")
    eq(auth.org_slug, st["org_slug"], "org_slug")


@step("a JWT template token verifies with its rendered claims")
def _():
    name = f"tpl_{rand}"
    # Created over plain HTTP: this SDK's claims model declares no fields and sends `{}`.
    res = httpx.post(BASE_URL + "/v1/jwt_templates", headers={"Authorization": f"Bearer {SECRET}"},
                     json={"name": name, "claims": {"email": "{{user.primary_email_address}}"}, "lifetime": 120})
    eq(res.status_code, 200, f"create template ({res.text[:200]})")
    jwt = clerk.sessions.create_token_from_template(session_id=need("session_id"), template_name=name).jwt
    claims = verify_token(jwt, remote())
    eq(claims["email"], f"tok.{rand}@example.com", "email claim")
    eq(claims["exp"] - claims["iat"], 120, "template lifetime")


@step("a revoked session gets no token")
def _():
    other = clerk.sessions.create(request={"user_id": need("user_id")})
    clerk.sessions.revoke(session_id=other.id)
    try:
        clerk.sessions.create_token(session_id=other.id)
    except (models.ClerkErrors, models.SDKError) as err:
        eq(err.status_code, 404, "status")
        return
    raise Check("create_token for a revoked session succeeded")


@step("an expired token is refused by verify_token and authenticate_request")
def _():
    exp = need("short_exp")
    eq(verify_token(st["short_jwt"], remote())["sid"], st["session_id"], "accepted while fresh")
    time.sleep(max(0.0, exp + LEEWAY_S + 1.5 - time.time()))
    eq(refused(st["short_jwt"], remote(), "verify_token (JWKS)"), TokenVerificationErrorReason.TOKEN_EXPIRED, "reason")
    eq(refused(st["short_jwt"], VerifyTokenOptions(jwt_key=st["pem"]), "verify_token (PEM)"), TokenVerificationErrorReason.TOKEN_EXPIRED, "reason")
    state = authenticate_request(request_with(st["short_jwt"]), AuthenticateRequestOptions(jwt_key=st["pem"]))
    check(not state.is_signed_in, "authenticate_request accepted an expired token")
    eq(state.reason, TokenVerificationErrorReason.TOKEN_EXPIRED, "authenticate_request reason")


FRESH_VERIFIER = """
import sys
from clerk_backend_api.security import verify_token
from clerk_backend_api.security.types import TokenVerificationError, VerifyTokenOptions
try:
    verify_token(sys.argv[1], VerifyTokenOptions(secret_key=sys.argv[2], api_url=sys.argv[3]))
    print("accepted")
except TokenVerificationError as err:
    print(err.reason.name)
"""


def fresh_process_verdict(token):
    """verify_token in a new process: no JWKS cached from before the rotation
    (this process's SDK keeps fetched keys for 5 minutes, like a running app)."""
    out = subprocess.run([sys.executable, "-c", FRESH_VERIFIER, token, SECRET, BASE_URL],
                         capture_output=True, text=True, timeout=60)
    check(out.returncode == 0, f"verifier process failed: {out.stderr[-500:]}")
    return out.stdout.strip()


@step("after a key rotation a token signed before it is refused, a new one accepted")
def _():
    before = clerk.sessions.create_token(session_id=need("session_id")).jwt
    rotated = admin("POST", "/__admin/signing_key/rotate")
    check(rotated["kid"] != rotated["previous_kid"], "the kid changes")
    eq(fresh_process_verdict(before), "JWK_KID_MISMATCH", "a fresh verifier's verdict")
    new_pem = VerifyTokenOptions(jwt_key=rotated["public_key_pem"])
    eq(refused(before, new_pem, "verify_token (new PEM)"), TokenVerificationErrorReason.TOKEN_INVALID_SIGNATURE, "reason")
    state = authenticate_request(request_with(before), AuthenticateRequestOptions(jwt_key=rotated["public_key_pem"]))
    check(not state.is_signed_in, "authenticate_request accepted a token signed before the rotation")
    after = clerk.sessions.create_token(session_id=st["session_id"]).jwt
    eq(fresh_process_verdict(after), "accepted", "a fresh verifier on a new token")
    eq(verify_token(after, remote())["sid"], st["session_id"], "new token accepted (kid not cached: fetched)")


finish()
