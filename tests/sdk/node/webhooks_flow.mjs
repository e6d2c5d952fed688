// Verifies clerk-mock's webhook deliveries the way an app's webhook handler does,
// with the official packages, unpatched:
//
//   node tests/sdk/node/webhooks_flow.mjs http://127.0.0.1:PORT
//
// A local receiver (node:http) is registered through POST /__admin/webhooks; state changes
// are made with @clerk/backend; POST /__admin/webhooks/flush waits for the deliveries.
// Every delivery must verify with `svix` (Webhook.verify) and with @clerk/backend's
// verifyWebhook; a tampered body or another secret must fail both; a receiver that answers
// 500 twice gets the event three times with the same svix-id.
// Every step prints `PASS <step>` or `FAIL <step>: <reason>`; the last line is
// `N passed, M failed` and the exit code is non-zero when anything failed.
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import { createClerkClient } from "@clerk/backend";
import { verifyWebhook } from "@clerk/backend/webhooks";
import { Webhook } from "svix";
import { Check, check, configure, describeApiErrors, eq, finish, need, st, step } from "./harness.mjs";

const apiUrl = process.argv[2];
if (!apiUrl) {
  console.error("usage: node webhooks_flow.mjs <clerk-mock base URL, e.g. http://127.0.0.1:4000>");
  process.exit(2);
}

const rand = randomBytes(6).toString("hex");
const secretKey = `sk_test_${randomBytes(16).toString("hex")}`;
const clerk = createClerkClient({ secretKey, apiUrl });
const OTHER_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

configure({
  describeSdkError(err) {
    if (err && Array.isArray(err.errors)) return describeApiErrors(err, (e) => `${e.code} (${e.longMessage || e.message})`);
    return undefined;
  },
});

// The receiver: records every request; answers from `plan` (then 200).
const received = [];
const plan = [];
const receiver = createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
    res.statusCode = plan.length ? plan.shift() : 200;
    res.end();
  });
});
await new Promise((resolve) => receiver.listen(0, "127.0.0.1", resolve));
const hookUrl = `http://127.0.0.1:${receiver.address().port}/clerk`;

async function admin(method, path, body) {
  const res = await fetch(`${apiUrl}${path}`, {
    method,
    headers: { Authorization: `Bearer ${secretKey}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  check(res.ok, `${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}
const flush = () => admin("POST", "/__admin/webhooks/flush?timeout_ms=20000");
const svixHeaders = (r) => ({ "svix-id": r.headers["svix-id"], "svix-timestamp": r.headers["svix-timestamp"], "svix-signature": r.headers["svix-signature"] });
const asRequest = (r, body = r.body) => new Request(hookUrl, { method: "POST", headers: { ...svixHeaders(r), "content-type": "application/json" }, body });

async function refused(fn, what) {
  try {
    await fn();
  } catch (err) {
    if (err instanceof Check) throw err;
    return;
  }
  throw new Check(`${what}: expected a verification failure`);
}

await step("register the receiver as an endpoint of the instance", async () => {
  const ep = await admin("POST", "/__admin/webhooks", { url: hookUrl });
  check(ep.secret.startsWith("whsec_"), `secret ${ep.secret}`);
  st.secret = ep.secret;
});

await step("creating and updating a user through the SDK delivers user.created and user.updated", async () => {
  need("secret");
  const user = await clerk.users.createUser({ emailAddress: [`hook-${rand}@example.com`], firstName: "Hook" });
  await clerk.users.updateUser(user.id, { lastName: "Receiver" });
  await flush();
  eq(received.map((r) => JSON.parse(r.body).type), ["user.created", "user.updated"], "event types");
  st.user = user;
});

await step("svix's Webhook.verify accepts every delivery", async () => {
  const user = need("user");
  const wh = new Webhook(st.secret);
  for (const r of received) {
    const payload = wh.verify(r.body, svixHeaders(r));
    eq(payload.data.id, user.id, "data.id");
    eq(payload.object, "event", "object");
  }
});

await step("@clerk/backend's verifyWebhook accepts every delivery", async () => {
  const user = need("user");
  for (const r of received) {
    const evt = await verifyWebhook(asRequest(r), { signingSecret: st.secret });
    eq(evt.data.id, user.id, "evt.data.id");
    check(evt.type.startsWith("user."), `type ${evt.type}`);
    check(evt.instance_id.startsWith("ins_"), `instance_id ${evt.instance_id}`);
  }
});

await step("a tampered body fails svix and verifyWebhook", async () => {
  need("user");
  const r = received[0];
  const tampered = r.body.replace(`"first_name":"Hook"`, `"first_name":"Mallory"`);
  check(tampered !== r.body, "the body was changed");
  await refused(() => new Webhook(st.secret).verify(tampered, svixHeaders(r)), "svix");
  await refused(() => verifyWebhook(asRequest(r, tampered), { signingSecret: st.secret }), "verifyWebhook");
});

await step("another secret fails svix and verifyWebhook", async () => {
  need("user");
  const r = received[0];
  await refused(() => new Webhook(OTHER_SECRET).verify(r.body, svixHeaders(r)), "svix");
  await refused(() => verifyWebhook(asRequest(r), { signingSecret: OTHER_SECRET }), "verifyWebhook");
});

await step("a receiver answering 500 twice gets the event three times with one svix-id", async () => {
  need("secret");
  received.length = 0;
  plan.push(500, 500);
  const org = await clerk.organizations.createOrganization({ name: `Hooks ${rand}` });
  await flush();
  eq(received.length, 3, "deliveries received");
  const ids = new Set(received.map((r) => r.headers["svix-id"]));
  eq(ids.size, 1, "distinct svix-ids");
  for (const r of received) {
    const evt = await verifyWebhook(asRequest(r), { signingSecret: st.secret });
    eq([evt.type, evt.data.id], ["organization.created", org.id], "event");
  }
});

receiver.close();
finish();
