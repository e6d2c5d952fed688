// The dashboard in a real browser: Debian's Chromium driven by playwright-core.
// Run by tests/dashboard.rs with CLERK_MOCK_URL (a running mock, no fixtures)
// and CLERK_MOCK_ARTIFACTS (where screenshots go). Prints one line per check;
// exits non-zero when a check fails or the page logged a console error.
//
//   CLERK_MOCK_URL=http://localhost:8787 node tests/browser/dashboard.mjs

import { mkdirSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";

const base = process.env.CLERK_MOCK_URL;
const artifacts = process.env.CLERK_MOCK_ARTIFACTS || "target/artifacts/dashboard";
const executablePath = process.env.CLERK_MOCK_CHROMIUM || "/usr/bin/chromium";
// Set when the mock runs with --admin-token: the page must ask for it first.
const adminToken = process.env.CLERK_MOCK_ADMIN_TOKEN || "";
if (!base) throw new Error("CLERK_MOCK_URL is not set");
mkdirSync(artifacts, { recursive: true });
for (const old of readdirSync(artifacts)) if (old.endsWith(".png")) rmSync(join(artifacts, old));

const KEY = `sk_test_browser${process.pid}dash`;
const WAIT = { timeout: 15000 };

/** The mock's Backend API, as an app under test would call it. */
async function bapi(method, path, body) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { Authorization: `Bearer ${KEY}`, "Content-Type": "application/json", "Clerk-API-Version": "2025-11-10" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, json, text };
}

function expect(cond, what) {
  if (!cond) throw new Error(`check failed: ${what}`);
}

const consoleErrors = [];
const results = [];
async function check(name, fn, page) {
  const started = Date.now();
  try {
    await fn();
    results.push(name);
    console.log(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (err) {
    await page.screenshot({ path: join(artifacts, `failed-${results.length + 1}.png`), fullPage: true }).catch(() => {});
    console.log(`FAIL ${name}: ${err.message}`);
    throw err;
  }
}

const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
let failed = false;
try {
  const context = await browser.newContext({ viewport: { width: 1360, height: 820 } });
  const page = await context.newPage();
  page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
  page.on("pageerror", (e) => consoleErrors.push(`uncaught: ${e.message}`));
  page.on("dialog", (d) => d.accept());

  // The instance exists before the page opens (any request with a key creates it).
  expect((await bapi("GET", "/v1/users/count")).status === 200, "the mock answers BAPI calls");

  await check("the page loads from / with no console errors", async () => {
    const res = await page.goto(`${base}/`, { waitUntil: "load" });
    expect(res.ok(), `GET / answered ${res.status()}`);
    expect(page.url().endsWith("/__admin/ui/"), `a browser at / lands on the dashboard, not ${page.url()}`);
    if (adminToken) {
      await page.locator("#login-token").waitFor(WAIT);
      await page.fill("#login-token", adminToken);
      await page.click('#login-form button[type="submit"]');
      const kept = await page.evaluate(() => sessionStorage.getItem("clerk-mock-admin-token"));
      expect(kept === adminToken, "the admin token is kept in session storage");
    }
    await page.locator("#instance option").first().waitFor({ state: "attached", ...WAIT });
    await page.getByText("No users in this instance.").waitFor(WAIT);
    const options = await page.locator("#instance option").allTextContents();
    expect(options.every((o) => !o.includes(KEY)), `the full secret key is never shown: ${options}`);
    expect(options.some((o) => o.startsWith("sk_test_…")), `the instance is listed by its masked key: ${options}`);
    expect(consoleErrors.length === 0, `console errors: ${consoleErrors.join(" | ")}`);
  }, page);

  await check("a user created through BAPI appears without a reload", async () => {
    const created = await bapi("POST", "/v1/users", { email_address: ["ada@example.com"], first_name: "Ada", last_name: "Lovelace" });
    expect(created.status === 200, `CreateUser answered ${created.status}: ${created.text}`);
    const row = page.locator("#data-table tbody tr", { hasText: "ada@example.com" });
    await row.waitFor(WAIT);
    await row.click();
    await page.locator("#data-detail pre", { hasText: created.json.id }).waitFor(WAIT);
    await page.screenshot({ path: join(artifacts, "1-users.png") });
  }, page);

  await check("switching a scenario on in the page makes the next API call fail as it says", async () => {
    await page.click('#tabs button[data-tab="scenarios"]');
    const toggle = page.locator('input[data-scenario="outage-500"]');
    await toggle.waitFor(WAIT);
    await toggle.check();
    await page.getByText("outage-500 is on for this instance.").waitFor(WAIT);
    const failing = await bapi("GET", "/v1/users");
    expect(failing.status === 500, `with outage-500 on, ListUsers answered ${failing.status}`);
    expect(/outage-500/.test(failing.json.errors[0].long_message), `the scenario's message: ${failing.text}`);
    // Its counter shows the hit, live.
    await page.locator('#active [data-counter="fired"]', { hasText: "1" }).first().waitFor(WAIT);
    await page.screenshot({ path: join(artifacts, "2-scenarios.png") });
    await toggle.uncheck();
    await page.getByText("outage-500 is off.").waitFor(WAIT);
    expect((await bapi("GET", "/v1/users")).status === 200, "switched off, ListUsers succeeds again");

    // A rule of one's own, from the form.
    const rule = { name: "page-rule", rules: [{ name: "no-orgs", match: { operation_id: "ListOrganizations" }, respond: { status: 503 } }] };
    await page.fill("#rule-text", JSON.stringify(rule));
    await page.click('#rule-form button[type="submit"]');
    await page.getByText("Loaded page-rule (1 rule, instance).").waitFor(WAIT);
    expect((await bapi("GET", "/v1/organizations")).status === 503, "the added rule answers 503");
    await page.locator(".scenario", { hasText: "page-rule" }).getByRole("button", { name: "Remove" }).click();
    await page.getByText("No scenario is active").waitFor(WAIT);
    expect((await bapi("GET", "/v1/organizations")).status === 200, "removed, ListOrganizations succeeds");
  }, page);

  await check("the journal shows a rejected request with its reason", async () => {
    const rejected = await bapi("POST", "/v1/users", { email_address: "not-a-list" });
    expect(rejected.status === 422, `a malformed CreateUser answered ${rejected.status}`);
    await page.click('#tabs button[data-tab="requests"]');
    await page.selectOption("#f-status", "4");
    const row = page.locator("#req-table tbody tr", { hasText: "422" }).first();
    await row.waitFor(WAIT);
    await row.click();
    const why = page.locator("#why");
    await why.waitFor(WAIT);
    const text = await why.innerText();
    expect(text.includes("email_address"), `the reason names the parameter: ${text}`);
    await page.locator("#req-detail pre", { hasText: "not-a-list" }).first().waitFor(WAIT);
    await page.screenshot({ path: join(artifacts, "3-requests.png") });
  }, page);

  await check("reset empties the instance", async () => {
    await page.click('#tabs button[data-tab="data"]');
    await page.locator("#data-table tbody tr", { hasText: "ada@example.com" }).waitFor(WAIT);
    await page.click("#reset");
    await page.getByText("No users in this instance.").waitFor(WAIT);
    const count = await bapi("GET", "/v1/users/count");
    expect(count.json.total_count === 0, `after reset the instance has ${count.text}`);
    await page.screenshot({ path: join(artifacts, "4-reset.png") });
  }, page);

  await check("a downloaded state uploads back into the instance", async () => {
    // After the reset the instance is empty; put Ada back from a state document.
    const created = await bapi("POST", "/v1/users", { email_address: ["grace@example.com"] });
    expect(created.status === 200, `CreateUser answered ${created.status}`);
    await page.locator("#data-table tbody tr", { hasText: "grace@example.com" }).waitFor(WAIT);
    const [download] = await Promise.all([page.waitForEvent("download", WAIT), page.click("#download")]);
    const saved = join(artifacts, "state.json");
    await download.saveAs(saved);
    const state = JSON.parse(readFileSync(saved, "utf8"));
    expect(Object.keys(state.collections.users || {}).includes(created.json.id), "the download holds the instance's users");
    await page.click("#reset");
    await page.getByText("No users in this instance.").waitFor(WAIT);
    await page.setInputFiles("#upload", saved);
    await page.locator("#data-table tbody tr", { hasText: "grace@example.com" }).waitFor(WAIT);
    expect((await bapi("GET", `/v1/users/${created.json.id}`)).status === 200, "the uploaded user is served again");
  }, page);

  await check("the webhooks tab lists a failing delivery and its retry button tries again", async () => {
    const admin = async (method, path, body) => {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { Authorization: `Bearer ${KEY}`, "X-Admin-Token": adminToken, "Content-Type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, json: await res.json().catch(() => null) };
    };
    // Nobody listens on port 9 of loopback: every attempt is refused and waits for its retry.
    const endpoint = await admin("POST", "/__admin/webhooks", { url: "http://localhost:9/hooks", event_types: ["user.created"] });
    expect(endpoint.status === 200, `an endpoint is registered (${endpoint.status})`);
    expect((await bapi("POST", "/v1/users", { email_address: ["hook@example.com"] })).status === 200, "a user is created");
    await page.click('#tabs button[data-tab="webhooks"]');
    const row = page.locator("#webhooks tr", { hasText: "localhost:9" }).filter({ has: page.locator("button") }).first();
    await row.waitFor(WAIT);
    const attempts = async () => {
      const list = await admin("GET", "/__admin/webhooks/deliveries");
      return Math.max(0, ...((list.json && list.json.data) || []).map((d) => d.attempts.length));
    };
    const before = await attempts();
    expect(before >= 1, "the delivery was attempted once");
    await row.locator("button", { hasText: "Retry" }).click();
    const deadline = Date.now() + 10000;
    while ((await attempts()) <= before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect((await attempts()) > before, "the retry button made another attempt");
    await page.screenshot({ path: join(artifacts, "6-webhooks.png") });
  }, page);

  await check("the outbox tab lists the invitation email Clerk would have sent", async () => {
    expect((await bapi("POST", "/v1/invitations", { email_address: "outbox@example.com" })).status === 200, "an invitation is created");
    await page.click('#tabs button[data-tab="outbox"]');
    await page.locator("#outbox tr", { hasText: "outbox@example.com" }).waitFor(WAIT);
    const row = await page.locator("#outbox tr", { hasText: "outbox@example.com" }).first().innerText();
    expect(row.includes("invited") && row.includes("__clerk_ticket="), `the row shows the subject and the link: ${row}`);
    await page.screenshot({ path: join(artifacts, "7-outbox.png") });
  }, page);

  await check("the keys tab shows what an app needs, with the key masked", async () => {
    await page.click('#tabs button[data-tab="keys"]');
    await page.locator("#keys", { hasText: "pk_test_" }).waitFor(WAIT);
    const body = await page.locator("body").innerText();
    expect(!body.includes(KEY), "the full secret key is nowhere on the page");
    expect(body.includes("CLERK_API_URL") && body.includes("/v1/jwks"), "env snippets and the JWKS URL are shown");
    await page.screenshot({ path: join(artifacts, "5-keys.png") });
  }, page);

  expect(consoleErrors.length === 0, `console errors: ${consoleErrors.join(" | ")}`);
  await context.close();
} catch (err) {
  failed = true;
  console.log(`dashboard checks failed: ${err.message}`);
} finally {
  await browser.close();
}
console.log(`${results.length} checks passed; screenshots in ${artifacts}`);
process.exit(failed ? 1 : 0);
