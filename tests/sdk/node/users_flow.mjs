// Drives the official @clerk/backend SDK against a running clerk-mock.
//
//   node tests/sdk/node/users_flow.mjs http://127.0.0.1:PORT
//
// Every step prints `PASS <step>` or `FAIL <step>: <reason>`; the last line is
// `N passed, M failed` and the exit code is non-zero when anything failed.
// Each run uses a fresh random secret key, so it gets its own isolated instance; counts are
// checked relative to what the instance holds at the start (the mock may load fixtures).
import { randomBytes } from "node:crypto";
import { createClerkClient } from "@clerk/backend";
import { Check, check, configure, describeApiErrors, describeError, eq, finish, need, st, step } from "./harness.mjs";

const apiUrl = process.argv[2];
if (!apiUrl) {
  console.error("usage: node users_flow.mjs <clerk-mock base URL, e.g. http://127.0.0.1:4000>");
  process.exit(2);
}

const rand = randomBytes(6).toString("hex");
const secretKey = `sk_test_${randomBytes(16).toString("hex")}`;
const clerk = createClerkClient({ secretKey, apiUrl });

const email = `ada.${rand}@example.com`;
const secondEmail = `ada.work.${rand}@example.com`;
const password = "Sdk-flow-password-7391!";
const externalId = `ext_${rand}`;

// Stable JSON (sorted keys) to compare metadata objects.
function canon(v) {
  if (Array.isArray(v)) return v.map(canon);
  if (v && typeof v === "object") {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon(v[k])]));
  }
  return v;
}
// The SDK maps JSON to classes by the `object` field; raw snake_case JSON means it did not.
function assertMapped(obj, camelField, what) {
  check(obj && typeof obj === "object", `${what}: expected an object, got ${JSON.stringify(obj)}`);
  check(camelField in obj, `${what}: SDK did not map the response (no '${camelField}'; raw: ${JSON.stringify(obj).slice(0, 300)})`);
}

// A ClerkAPIResponseError in FAIL lines: status and each error's code and messages.
configure({
  describeSdkError(err) {
    if (err && Array.isArray(err.errors)) {
      return describeApiErrors(
        err,
        (e) => `${e.code}${e.message ? ` (${e.message}${e.longMessage && e.longMessage !== e.message ? `; ${e.longMessage}` : ""})` : ""}`,
      );
    }
    return undefined;
  },
});

// Expect `fn` to reject with a Clerk API error; returns it.
async function expectApiError(fn, what) {
  let result;
  try {
    result = await fn();
  } catch (err) {
    check(Array.isArray(err?.errors), `${what}: expected a ClerkAPIResponseError, got ${describeError(err)}`);
    return err;
  }
  throw new Check(`${what}: expected an error, but it succeeded with ${JSON.stringify(result).slice(0, 300)}`);
}

await step("read the instance's starting counts", async () => {
  st.baseUsers = await clerk.users.getCount();
  check(Number.isInteger(st.baseUsers), `getCount() should be a number, got ${JSON.stringify(st.baseUsers)}`);
  st.baseInvitations = (await clerk.invitations.getInvitationList()).totalCount;
  check(Number.isInteger(st.baseInvitations), `invitation totalCount should be a number, got ${st.baseInvitations}`);
  st.baseAllowlist = (await clerk.allowlistIdentifiers.getAllowlistIdentifierList()).totalCount;
  check(Number.isInteger(st.baseAllowlist), `allowlist totalCount should be a number, got ${st.baseAllowlist}`);
});

await step("create user", async () => {
  const u = await clerk.users.createUser({
    emailAddress: [email],
    password,
    firstName: "Ada",
    lastName: "Lovelace",
    externalId,
    publicMetadata: { tier: "gold", role: "admin", nested: { a: 1, b: 2 } },
  });
  assertMapped(u, "firstName", "createUser");
  check(typeof u.id === "string" && u.id.startsWith("user_"), `id should start with user_, got ${u.id}`);
  st.userId = u.id;
  eq(u.firstName, "Ada", "firstName");
  eq(u.lastName, "Lovelace", "lastName");
  eq(u.externalId, externalId, "externalId");
  eq(canon(u.publicMetadata), canon({ tier: "gold", role: "admin", nested: { a: 1, b: 2 } }), "publicMetadata");
  eq(u.emailAddresses.map((e) => e.emailAddress), [email], "emailAddresses");
  eq(u.primaryEmailAddress?.emailAddress, email, "primaryEmailAddress");
  eq(u.passwordEnabled, true, "passwordEnabled");
  eq(u.banned, false, "banned");
});

await step("get user", async () => {
  const u = await clerk.users.getUser(need("userId"));
  assertMapped(u, "firstName", "getUser");
  eq(u.id, st.userId, "id");
  eq(u.primaryEmailAddress?.emailAddress, email, "primary email");
  eq(u.externalId, externalId, "externalId");
});

await step("create two more users", async () => {
  for (const n of [1, 2]) {
    const u = await clerk.users.createUser({
      emailAddress: [`other${n}.${rand}@example.com`],
      firstName: `Other${n}`,
      skipPasswordRequirement: true,
    });
    assertMapped(u, "firstName", "createUser");
  }
});

await step("list users filtered by email address", async () => {
  const res = await clerk.users.getUserList({ emailAddress: [email] });
  check(Array.isArray(res?.data), `expected { data: [...] }, got ${JSON.stringify(res).slice(0, 300)}`);
  eq(res.data.map((u) => u.id), [need("userId")], "ids");
  assertMapped(res.data[0], "firstName", "getUserList item");
  eq(res.totalCount, 1, "totalCount");
});

await step("list users with a limit", async () => {
  const total = need("baseUsers") + 3;
  const res = await clerk.users.getUserList({ limit: 2 });
  eq(res.data.length, 2, "page length");
  eq(res.totalCount, total, "totalCount");
  const rest = await clerk.users.getUserList({ limit: 2, offset: 2 });
  eq(rest.data.length, Math.min(2, total - 2), "second page length");
  const ids = new Set([...res.data, ...rest.data].map((u) => u.id));
  eq(ids.size, res.data.length + rest.data.length, "distinct users over both pages");
});

await step("count users", async () => {
  eq(await clerk.users.getCount(), need("baseUsers") + 3, "getCount()");
  eq(await clerk.users.getCount({ emailAddress: [email] }), 1, "getCount({emailAddress})");
});

await step("update first name", async () => {
  const u = await clerk.users.updateUser(need("userId"), { firstName: "Augusta" });
  eq(u.firstName, "Augusta", "firstName in response");
  eq(u.lastName, "Lovelace", "lastName untouched");
  const again = await clerk.users.getUser(st.userId);
  eq(again.firstName, "Augusta", "firstName after getUser");
});

await step("merge user metadata (null deletes a key)", async () => {
  const u = await clerk.users.updateUserMetadata(need("userId"), {
    publicMetadata: { tier: null, plan: "pro", nested: { b: 3 } },
    privateMetadata: { secret: "s1" },
  });
  const want = canon({ role: "admin", plan: "pro", nested: { a: 1, b: 3 } });
  eq(canon(u.publicMetadata), want, "publicMetadata");
  eq(canon(u.privateMetadata), canon({ secret: "s1" }), "privateMetadata");
  const again = await clerk.users.getUser(st.userId);
  eq(canon(again.publicMetadata), want, "publicMetadata after getUser");
});

await step("verify password (right)", async () => {
  const res = await clerk.users.verifyPassword({ userId: need("userId"), password });
  eq(res?.verified, true, "verified");
});

await step("verify password (wrong) fails with form_password_incorrect", async () => {
  const userId = need("userId");
  const err = await expectApiError(
    () => clerk.users.verifyPassword({ userId, password: "definitely-wrong-pw" }),
    "verifyPassword",
  );
  eq(err.errors[0]?.code, "form_password_incorrect", `error code (status ${err.status})`);
});

await step("second user with the same email fails with form_identifier_exists", async () => {
  const err = await expectApiError(
    () => clerk.users.createUser({ emailAddress: [email], password: "Another-pass-8120!" }),
    "createUser duplicate",
  );
  eq(err.errors[0]?.code, "form_identifier_exists", `error code (status ${err.status})`);
  eq(err.status, 422, "status");
});

await step("ban and unban user", async () => {
  const banned = await clerk.users.banUser(need("userId"));
  eq(banned.banned, true, "banned after banUser");
  eq((await clerk.users.getUser(st.userId)).banned, true, "banned after getUser");
  const unbanned = await clerk.users.unbanUser(st.userId);
  eq(unbanned.banned, false, "banned after unbanUser");
});

await step("create an email address and fetch it", async () => {
  const e = await clerk.emailAddresses.createEmailAddress({
    userId: need("userId"),
    emailAddress: secondEmail,
    verified: true,
    primary: false,
  });
  assertMapped(e, "emailAddress", "createEmailAddress");
  eq(e.emailAddress, secondEmail, "emailAddress");
  check(typeof e.id === "string" && e.id.startsWith("idn_"), `id should start with idn_, got ${e.id}`);
  const got = await clerk.emailAddresses.getEmailAddress(e.id);
  eq(got.id, e.id, "id from getEmailAddress");
  eq(got.emailAddress, secondEmail, "emailAddress from getEmailAddress");
  const u = await clerk.users.getUser(st.userId);
  eq(u.emailAddresses.map((x) => x.emailAddress).sort(), [email, secondEmail].sort(), "user's email addresses");
  eq(u.primaryEmailAddress?.emailAddress, email, "primary email unchanged");
});

await step("create and list invitations", async () => {
  const invEmail = `invitee.${rand}@example.com`;
  const inv = await clerk.invitations.createInvitation({
    emailAddress: invEmail,
    publicMetadata: { source: "sdk-flow" },
    notify: false,
  });
  assertMapped(inv, "emailAddress", "createInvitation");
  check(typeof inv.id === "string" && inv.id.startsWith("inv_"), `id should start with inv_, got ${inv.id}`);
  eq(inv.emailAddress, invEmail, "emailAddress");
  eq(inv.status, "pending", "status");
  eq(canon(inv.publicMetadata), canon({ source: "sdk-flow" }), "publicMetadata");
  const list = await clerk.invitations.getInvitationList({ limit: 500 });
  check(Array.isArray(list?.data), `expected { data: [...] }, got ${JSON.stringify(list).slice(0, 300)}`);
  check(list.data.some((i) => i.id === inv.id), `new invitation ${inv.id} not in the list`);
  eq(list.totalCount, need("baseInvitations") + 1, "totalCount");
  eq(list.data[0]?.id, inv.id, "newest invitation first");
  const pending = await clerk.invitations.getInvitationList({ status: "pending", limit: 500 });
  check(pending.data.some((i) => i.id === inv.id), "new invitation not in the pending list");
  check(pending.data.every((i) => i.status === "pending"), "status=pending list holds other statuses");
});

await step("allowlist identifier create, list, delete", async () => {
  const ident = `allowed.${rand}@example.com`;
  const a = await clerk.allowlistIdentifiers.createAllowlistIdentifier({ identifier: ident, notify: false });
  assertMapped(a, "identifierType", "createAllowlistIdentifier");
  eq(a.identifier, ident, "identifier");
  eq(a.identifierType, "email_address", "identifierType");
  const base = need("baseAllowlist");
  const list = await clerk.allowlistIdentifiers.getAllowlistIdentifierList({ limit: 500 });
  check(Array.isArray(list?.data), `expected { data: [...] }, got ${JSON.stringify(list).slice(0, 300)}`);
  check(list.data.some((x) => x.id === a.id), `new identifier ${a.id} not in the list`);
  eq(list.totalCount, base + 1, "totalCount");
  const del = await clerk.allowlistIdentifiers.deleteAllowlistIdentifier(a.id);
  eq(del.deleted, true, "deleted");
  eq(del.id, a.id, "deleted id");
  const after = await clerk.allowlistIdentifiers.getAllowlistIdentifierList({ limit: 500 });
  check(!after.data.some((x) => x.id === a.id), "deleted identifier still listed");
  eq(after.totalCount, base, "totalCount after delete");
});

await step("another secret key sees an isolated instance", async () => {
  const other = createClerkClient({ secretKey: `sk_test_${randomBytes(16).toString("hex")}`, apiUrl });
  eq(await other.users.getCount(), need("baseUsers"), "user count of a fresh instance (= this one's at start)");
  eq((await other.users.getUserList({ emailAddress: [email] })).data.length, 0, "our user seen from the other key");
});

await step("delete user, then getUser fails with 404", async () => {
  const del = await clerk.users.deleteUser(need("userId"));
  assertMapped(del, "deleted", "deleteUser");
  eq(del.deleted, true, "deleted");
  eq(del.id, st.userId, "deleted id");
  const err = await expectApiError(() => clerk.users.getUser(st.userId), "getUser after delete");
  eq(err.status, 404, `status (errors: ${err.errors.map((e) => e.code).join(",")})`);
  eq(await clerk.users.getCount(), st.baseUsers + 2, "getCount after delete");
});

finish();
