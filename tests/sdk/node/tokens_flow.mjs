// Verifies session tokens minted by clerk-mock with the official @clerk/backend SDK,
// the way an app's backend does in its tests:
//
//   node tests/sdk/node/tokens_flow.mjs http://127.0.0.1:PORT
//
// verifyToken with the JWKS fetched from the mock (secretKey + apiUrl) and with the
// PEM public key (jwtKey), and authenticateRequest on a Request with an Authorization
// header (publishableKey from GET /__admin/health) must accept a fresh token; an
// expired token and a token signed before a key rotation must be refused.
// Every step prints `PASS <step>` or `FAIL <step>: <reason>`; the last line is
// `N passed, M failed` and the exit code is non-zero when anything failed.
// The expiry step waits for a 30-second token (the shortest lifetime the API allows)
// plus the SDK's 5-second clock skew, so the flow takes about 40 seconds.
import { randomBytes } from "node:crypto";
import { createClerkClient, verifyToken } from "@clerk/backend";
import { Check, check, configure, describeApiErrors, describeError, eq, finish, need, st, step } from "./harness.mjs";

const apiUrl = process.argv[2];
if (!apiUrl) {
  console.error("usage: node tokens_flow.mjs <clerk-mock base URL, e.g. http://127.0.0.1:4000>");
  process.exit(2);
}

const rand = randomBytes(6).toString("hex");
const secretKey = `sk_test_${randomBytes(16).toString("hex")}`;
const SKEW_MS = 5_000; // @clerk/backend's default clockSkewInMs

// Clerk API errors and the TokenVerificationErrors (with a `reason`) in FAIL lines.
configure({
  describeSdkError(err) {
    if (err && Array.isArray(err.errors)) return describeApiErrors(err, (e) => `${e.code} (${e.longMessage || e.message})`);
    if (err && err.reason) return `${err.name}: reason=${err.reason} ${err.message}`;
    return undefined;
  },
});

// Expects verifyToken to refuse; returns the TokenVerificationError's reason.
async function refusedReason(token, options, what) {
  try {
    const payload = await verifyToken(token, options);
    throw new Check(`${what}: expected a refusal, got claims ${JSON.stringify(payload).slice(0, 200)}`);
  } catch (err) {
    if (err instanceof Check) throw err;
    check(err && err.reason, `${what}: expected a TokenVerificationError, got ${describeError(err)}`);
    return err.reason;
  }
}
async function admin(method, path) {
  const res = await fetch(`${apiUrl}${path}`, { method, headers: { Authorization: `Bearer ${secretKey}` } });
  const body = await res.json();
  check(res.ok, `${method} ${path}: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
  return body;
}
function payloadOf(jwt) {
  return JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString());
}
function requestWith(jwt) {
  return new Request("http://localhost:3000/api/me", { headers: { Authorization: `Bearer ${jwt}` } });
}

await step("health advertises a publishable key whose host is the issuer's", async () => {
  const health = await (await fetch(`${apiUrl}/__admin/health`)).json();
  const pk = health.publishable_key;
  check(typeof pk === "string" && pk.startsWith("pk_test_"), `publishable_key: ${pk}`);
  const host = Buffer.from(pk.split("_")[2], "base64").toString();
  check(host.endsWith("$") && host.includes("."), `decoded key ${host}`);
  eq(`https://${host.slice(0, -1)}`, health.issuer, "issuer");
  st.publishableKey = pk;
  st.issuer = health.issuer;
  st.clerk = createClerkClient({ secretKey, apiUrl, publishableKey: pk });
});

await step("create a user, an organization they administer and a session in it", async () => {
  const clerk = need("clerk");
  const user = await clerk.users.createUser({ emailAddress: [`tok.${rand}@example.com`], firstName: "Tok" });
  const org = await clerk.organizations.createOrganization({ name: `Tokens ${rand}`, createdBy: user.id });
  const session = await clerk.sessions.createSession({ userId: user.id, activeOrganizationId: org.id });
  eq(session.status, "active", "session status");
  eq(session.lastActiveOrganizationId, org.id, "active organization");
  Object.assign(st, { userId: user.id, orgId: org.id, orgSlug: org.slug, sessionId: session.id });
});

await step("mint a 30-second token and a default one", async () => {
  const clerk = need("clerk");
  const short = await clerk.sessions.getToken(need("sessionId"), undefined, 30);
  check(typeof short.jwt === "string", `getToken answered ${JSON.stringify(short)}`);
  const p = payloadOf(short.jwt);
  eq(p.exp - p.iat, 30, "short lifetime");
  st.shortJwt = short.jwt;
  st.shortExp = p.exp;
  st.jwt = (await clerk.sessions.getToken(st.sessionId)).jwt;
  const d = payloadOf(st.jwt);
  eq(d.exp - d.iat, 60, "default lifetime");
});

await step("verifyToken with the JWKS fetched from the mock accepts it", async () => {
  const claims = await verifyToken(need("jwt"), { secretKey, apiUrl });
  eq(claims.sub, st.userId, "sub");
  eq(claims.sid, st.sessionId, "sid");
  eq(claims.iss, st.issuer, "iss");
  eq(claims.v, 2, "v");
  eq(claims.o?.id, st.orgId, "o.id");
  eq(claims.o?.rol, "admin", "o.rol");
  eq(claims.aud, undefined, "aud");
});

await step("verifyToken with the PEM public key (jwtKey) accepts it", async () => {
  const key = await admin("GET", "/__admin/signing_key");
  check(key.public_key_pem.startsWith("-----BEGIN PUBLIC KEY-----"), "public_key_pem is a SPKI PEM");
  st.pem = key.public_key_pem;
  const claims = await verifyToken(need("jwt"), { jwtKey: st.pem });
  eq(claims.sid, st.sessionId, "sid");
});

await step("authenticateRequest accepts the token in an Authorization header", async () => {
  const state = await need("clerk").authenticateRequest(requestWith(need("jwt")), { publishableKey: st.publishableKey });
  check(state.isAuthenticated, `not authenticated: ${state.reason} ${state.message}`);
  const auth = state.toAuth();
  eq(auth.userId, st.userId, "userId");
  eq(auth.sessionId, st.sessionId, "sessionId");
  eq(auth.orgId, st.orgId, "orgId");
  eq(auth.orgRole, "org:admin", "orgRole");
  eq(auth.orgSlug, st.orgSlug, "orgSlug");
});

await step("authenticateRequest with the PEM key (networkless) accepts it", async () => {
  // The SDK insists on a secret key; with jwtKey it never calls the API (this apiUrl goes nowhere).
  const networkless = createClerkClient({ secretKey, apiUrl: "http://127.0.0.1:9", publishableKey: need("publishableKey"), jwtKey: need("pem") });
  const state = await networkless.authenticateRequest(requestWith(need("jwt")));
  check(state.isAuthenticated, `not authenticated: ${state.reason} ${state.message}`);
  eq(state.toAuth().userId, st.userId, "userId");
});

await step("a JWT template token verifies with its rendered claims", async () => {
  const clerk = need("clerk");
  const name = `tpl_${rand}`;
  await clerk.jwtTemplates.create({ name, claims: { email: "{{user.primary_email_address}}", org: "{{org.slug}}" }, lifetime: 120 });
  const { jwt } = await clerk.sessions.getToken(st.sessionId, name);
  const claims = await verifyToken(jwt, { secretKey, apiUrl });
  eq(claims.email, `tok.${rand}@example.com`, "email claim");
  eq(claims.org, st.orgSlug, "org claim");
  eq(claims.exp - claims.iat, 120, "template lifetime");
});

await step("a revoked session gets no token", async () => {
  const clerk = need("clerk");
  const other = await clerk.sessions.createSession({ userId: need("userId") });
  await clerk.sessions.revokeSession(other.id);
  try {
    await clerk.sessions.getToken(other.id);
  } catch (err) {
    check(Array.isArray(err.errors), `expected a Clerk API error, got ${describeError(err)}`);
    eq(err.status, 404, "status");
    return;
  }
  throw new Check("getToken for a revoked session succeeded");
});

await step(
  "an expired token is refused by verifyToken and authenticateRequest",
  async () => {
    const exp = need("shortExp");
    check((await verifyToken(st.shortJwt, { secretKey, apiUrl })).sid === st.sessionId, "accepted while fresh");
    const wait = exp * 1000 + SKEW_MS + 1_500 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    eq(await refusedReason(st.shortJwt, { secretKey, apiUrl }, "verifyToken (JWKS)"), "token-expired", "reason");
    eq(await refusedReason(st.shortJwt, { jwtKey: st.pem }, "verifyToken (PEM)"), "token-expired", "reason");
    const state = await st.clerk.authenticateRequest(requestWith(st.shortJwt), { publishableKey: st.publishableKey });
    check(!state.isAuthenticated, "authenticateRequest accepted an expired token");
    check(String(state.reason).includes("expired"), `authenticateRequest reason: ${state.reason}`);
  },
  60_000,
);

await step("after a key rotation a token signed before it is refused, a new one accepted", async () => {
  const clerk = need("clerk");
  const before = (await clerk.sessions.getToken(need("sessionId"))).jwt;
  const rotated = await admin("POST", "/__admin/signing_key/rotate");
  check(rotated.kid !== rotated.previous_kid, "the kid changes");
  // This process's SDK keeps every key it fetched for 5 minutes (per apiUrl + secret key),
  // as an app does until it restarts; a verifier without that cache (here: the same mock
  // under a differently spelled apiUrl) sees only what the JWKS publishes now.
  const freshUrl = `${apiUrl}/`;
  const fresh = { secretKey, apiUrl: freshUrl };
  eq(await refusedReason(before, fresh, "verifyToken (JWKS)"), "jwk-kid-mismatch", "reason");
  eq(await refusedReason(before, { jwtKey: rotated.public_key_pem }, "verifyToken (new PEM)"), "token-invalid-signature", "reason");
  const freshClient = createClerkClient({ secretKey, apiUrl: freshUrl, publishableKey: st.publishableKey });
  const state = await freshClient.authenticateRequest(requestWith(before));
  check(!state.isAuthenticated, "authenticateRequest accepted a token signed before the rotation");
  const after = (await clerk.sessions.getToken(st.sessionId)).jwt;
  eq((await verifyToken(after, fresh)).sid, st.sessionId, "new token accepted");
});

finish();
