// Drives @clerk/clerk-sdk-node 5.x — still widely used, and built on @clerk/backend 1.x,
// which asks for Clerk API version 2025-04-10 — against a running clerk-mock:
//
//   node tests/sdk/node/sdk_node_v5_flow.mjs http://127.0.0.1:PORT
//
// Users, organizations, sessions and tokens through the SDK as an app of 2025 uses it;
// `sessions.createSession` and `getToken` exist only from the 2025-04-10 spec on, so they
// prove that version is served (the mock's journal must show every request answered from
// it). Every step prints `PASS <step>` or `FAIL <step>: <reason>`; the last line is
// `N passed, M failed` and the exit code is non-zero when anything failed.
import { createRequire } from "node:module";
import { randomBytes } from "node:crypto";
import { createClerkClient, verifyToken } from "@clerk/clerk-sdk-node";
import { Check, check, configure, describeApiErrors, describeError, eq, finish, need, st, step } from "./harness.mjs";

const apiUrl = process.argv[2];
if (!apiUrl) {
  console.error("usage: node sdk_node_v5_flow.mjs <clerk-mock base URL, e.g. http://127.0.0.1:4000>");
  process.exit(2);
}

const rand = randomBytes(6).toString("hex");
const secretKey = `sk_test_${randomBytes(16).toString("hex")}`;
const email = `grace.${rand}@example.com`;
const require = createRequire(import.meta.url);

configure({
  describeSdkError(err) {
    if (err && Array.isArray(err.errors)) return describeApiErrors(err, (e) => `${e.code} (${e.longMessage || e.message})`);
    if (err && err.reason) return `${err.name}: reason=${err.reason} ${err.message}`;
    return undefined;
  },
});

// Expects `fn` to fail with a Clerk API error; returns it.
async function apiError(fn, what) {
  try {
    await fn();
  } catch (err) {
    check(Array.isArray(err.errors), `${what}: expected a Clerk API error, got ${describeError(err)}`);
    return err;
  }
  throw new Check(`${what}: succeeded`);
}

await step("the SDK is clerk-sdk-node 5.x on @clerk/backend 1.x", async () => {
  const sdkPkg = require.resolve("@clerk/clerk-sdk-node/package.json");
  const sdk = require(sdkPkg);
  const backend = createRequire(sdkPkg)("@clerk/backend/package.json");
  check(sdk.version.startsWith("5."), `@clerk/clerk-sdk-node ${sdk.version}`);
  check(backend.version.startsWith("1."), `its @clerk/backend ${backend.version}`);
  const health = await (await fetch(`${apiUrl}/__admin/health`)).json();
  st.publishableKey = health.publishable_key;
  st.issuer = health.issuer;
  st.clerk = createClerkClient({ secretKey, apiUrl, publishableKey: st.publishableKey });
});

await step("create a user with an email, a password and metadata", async () => {
  const user = await need("clerk").users.createUser({
    emailAddress: [email],
    password: "Sdk-node-v5-password-4417!",
    firstName: "Grace",
    lastName: "Hopper",
    publicMetadata: { plan: "pro" },
  });
  check(/^user_[0-9A-Za-z]{27}$/.test(user.id), `user id ${user.id}`);
  eq(user.firstName, "Grace", "firstName");
  eq(user.emailAddresses.map((e) => e.emailAddress), [email], "emailAddresses");
  eq(user.primaryEmailAddress?.emailAddress, email, "primaryEmailAddress");
  eq(user.publicMetadata, { plan: "pro" }, "publicMetadata");
  check(user.passwordEnabled, "passwordEnabled");
  st.userId = user.id;
});

await step("a second user with the same email is refused with form_identifier_exists", async () => {
  const err = await apiError(() => need("clerk").users.createUser({ emailAddress: [email] }), "duplicate email");
  eq(err.status, 422, "status");
  eq(err.errors[0].code, "form_identifier_exists", "code");
});

await step("get, update and list the user", async () => {
  const clerk = need("clerk");
  const id = need("userId");
  eq((await clerk.users.getUser(id)).lastName, "Hopper", "lastName");
  const updated = await clerk.users.updateUser(id, { lastName: "Murray Hopper" });
  eq(updated.lastName, "Murray Hopper", "updated lastName");
  const merged = await clerk.users.updateUserMetadata(id, { privateMetadata: { seat: 7 } });
  eq(merged.privateMetadata, { seat: 7 }, "privateMetadata");
  const list = await clerk.users.getUserList({ emailAddress: [email] });
  eq(list.totalCount, 1, "totalCount");
  eq(list.data.map((u) => u.id), [id], "listed ids");
  eq(await clerk.users.getCount(), 1, "user count of a fresh instance");
});

await step("create an organization the user administers", async () => {
  const clerk = need("clerk");
  const org = await clerk.organizations.createOrganization({ name: `Navy ${rand}`, createdBy: need("userId") });
  check(org.id.startsWith("org_"), `org id ${org.id}`);
  const members = await clerk.organizations.getOrganizationMembershipList({ organizationId: org.id });
  eq(members.totalCount, 1, "member count");
  eq(members.data[0].role, "org:admin", "creator's role");
  eq(members.data[0].publicUserData?.userId, st.userId, "member");
  st.orgId = org.id;
});

await step("sessions.createSession (2025-04-10 and later) creates an active session", async () => {
  const session = await need("clerk").sessions.createSession({ userId: need("userId") });
  check(session.id.startsWith("sess_"), `session id ${session.id}`);
  eq(session.status, "active", "status");
  eq(session.userId, st.userId, "userId");
  const listed = await st.clerk.sessions.getSessionList({ userId: st.userId });
  eq(listed.data.map((s) => s.id), [session.id], "the user's sessions");
  st.sessionId = session.id;
});

await step("sessions.getToken mints a session token the SDK verifies", async () => {
  const { jwt } = await need("clerk").sessions.getToken(need("sessionId"));
  check(typeof jwt === "string" && jwt.split(".").length === 3, `jwt ${jwt}`);
  const claims = await verifyToken(jwt, { secretKey, apiUrl });
  eq(claims.sub, st.userId, "sub");
  eq(claims.sid, st.sessionId, "sid");
  eq(claims.iss, st.issuer, "iss");
  const bound = await st.clerk.verifyToken(jwt);
  eq(bound.sid, st.sessionId, "clerkClient.verifyToken sid");
  st.jwt = jwt;
});

await step("authenticateRequest accepts the token in an Authorization header", async () => {
  const request = new Request("http://localhost:3000/api/me", { headers: { Authorization: `Bearer ${need("jwt")}` } });
  const state = await need("clerk").authenticateRequest(request, { publishableKey: st.publishableKey });
  check(state.isSignedIn, `not signed in: ${state.reason} ${state.message}`);
  eq(state.toAuth().userId, st.userId, "userId");
  eq(state.toAuth().sessionId, st.sessionId, "sessionId");
});

await step("a revoked session gets no token", async () => {
  const revoked = await need("clerk").sessions.revokeSession(need("sessionId"));
  eq(revoked.status, "revoked", "status");
  const err = await apiError(() => st.clerk.sessions.getToken(st.sessionId), "getToken after revoke");
  eq(err.status, 404, "status");
});

await step("deleting the user makes it unknown", async () => {
  const clerk = need("clerk");
  const deleted = await clerk.users.deleteUser(need("userId"));
  eq(deleted.id, st.userId, "deleted id");
  const err = await apiError(() => clerk.users.getUser(st.userId), "getUser after delete");
  eq(err.status, 404, "status");
  eq(err.errors[0].code, "resource_not_found", "code");
});

await step("the mock served every request from its 2025-04-10 spec", async () => {
  const res = await fetch(`${apiUrl}/__admin/requests?limit=500`, { headers: { Authorization: `Bearer ${secretKey}` } });
  const journal = await res.json();
  check(res.ok && journal.total_count > 10, `journal: ${JSON.stringify(journal).slice(0, 300)}`);
  const asked = [...new Set(journal.data.map((e) => e.requested_version))];
  const served = [...new Set(journal.data.map((e) => e.api_version))];
  eq(asked, ["2025-04-10"], "Clerk-API-Version the SDK sent");
  eq(served, ["2025-04-10"], "spec versions that answered");
  const unrouted = journal.data.filter((e) => e.status === 405 || (e.status === 404 && !e.operation_id));
  eq(unrouted.map((e) => `${e.method} ${e.path}`), [], "requests no operation of the spec matched");
});

finish();
