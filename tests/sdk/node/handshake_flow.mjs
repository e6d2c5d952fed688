// Drives @clerk/backend's authenticateRequest (unpatched) through the branches of its
// development-instance decision logic (FAPI.md §4.1) with cookies and handshakes produced
// by clerk-mock, the way a browser and an app's middleware would:
//
//   node tests/sdk/node/handshake_flow.mjs http://127.0.0.1:PORT
//
// The "browser" signs in through the mock's Frontend API (its own __client cookie), then
// requests app pages with a cookie jar for the app origin. Whenever authenticateRequest
// answers a handshake, the browser follows it: GET the FAPI handshake URL (a 307 back to
// the app with __clerk_handshake_nonce), then the app URL again, where the middleware
// fetches the directives from BAPI GET /v1/clients/handshake_payload, sets the cookies and
// redirects to the clean URL. Each branch must end signed in (or signed out where that is
// the answer) after at most one handshake.
//
// Start the mock with a short --frontend-token-lifetime (the expired-token branch waits
// for the token to expire, plus the SDK's 5-second clock skew).
import { randomBytes } from "node:crypto";
import { createClerkClient } from "@clerk/backend";
import { check, configure, describeApiErrors, eq, finish, need, st, step } from "./harness.mjs";

const apiUrl = process.argv[2];
if (!apiUrl) {
  console.error("usage: node handshake_flow.mjs <clerk-mock base URL, e.g. http://127.0.0.1:4000>");
  process.exit(2);
}
const APP = "http://localhost:3000";
const secretKey = `sk_test_${randomBytes(16).toString("hex")}`;
const rand = randomBytes(6).toString("hex");

configure({
  describeSdkError(err) {
    if (err && Array.isArray(err.errors)) return describeApiErrors(err, (e) => `${e.code} (${e.longMessage || e.message})`);
    return undefined;
  },
});

// ---- a cookie jar: name → value, attributes ignored but Max-Age=0 deletes ----
class Jar {
  constructor() {
    this.cookies = new Map();
  }
  apply(setCookie) {
    const [pair, ...attrs] = setCookie.split(";");
    const at = pair.indexOf("=");
    const name = pair.slice(0, at).trim();
    const value = pair.slice(at + 1).trim();
    const expired = attrs.some((a) => a.trim().toLowerCase() === "max-age=0");
    if (expired || value === "") this.cookies.delete(name);
    else this.cookies.set(name, value);
  }
  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
}

function setCookies(headers) {
  return typeof headers.getSetCookie === "function" ? headers.getSetCookie() : [];
}

// ---- the Frontend API, as clerk-js talks to it (form bodies, the __client cookie) ----
async function fapi(browser, method, path, form) {
  const headers = { origin: APP, "clerk-secret-key": secretKey };
  if (browser.fapiCookie) headers.cookie = `__client=${browser.fapiCookie}`;
  let body;
  if (form) {
    headers["content-type"] = "application/x-www-form-urlencoded";
    body = new URLSearchParams(form).toString();
  }
  const res = await fetch(`${st.fapiUrl}${path}`, { method, headers, body, redirect: "manual" });
  for (const c of setCookies(res.headers)) {
    const m = /^__client=([^;]*)/.exec(c);
    if (m) browser.fapiCookie = m[1] || undefined;
  }
  return res;
}

// ---- the app's middleware: authenticateRequest on a document GET ----
async function middleware(url, jar) {
  const request = new Request(url, {
    headers: { cookie: jar.header(), accept: "text/html", "sec-fetch-dest": "document", host: new URL(url).host },
  });
  return st.clerk.authenticateRequest(request, { proxyUrl: st.fapiUrl, publishableKey: st.pk });
}

// Loads `url` like a browser: follows the middleware's redirects (handshakes through the
// FAPI, then back) until a page is served. Returns the final state and the handshake count.
async function visit(browser, url) {
  let handshakes = 0;
  for (let hop = 0; hop < 8; hop++) {
    const state = await middleware(url, browser.jar);
    for (const c of setCookies(state.headers)) browser.jar.apply(c);
    const location = state.headers.get("location");
    if (!location) return { state, handshakes, reason: browser.lastReason };
    if (location.startsWith(st.fapiUrl)) {
      handshakes++;
      browser.lastReason = new URL(location).searchParams.get("__clerk_hs_reason");
      const res = await fapi(browser, "GET", location.slice(st.fapiUrl.length));
      eq(res.status, 307, `the FAPI handshake's status (reason ${browser.lastReason})`);
      url = res.headers.get("location");
      check(url && url.startsWith(APP), `the handshake redirects back to the app, got ${url}`);
    } else {
      url = location;
    }
  }
  throw new Error(`no page after 8 redirects (a handshake loop; last reason ${browser.lastReason})`);
}

function newBrowser() {
  return { jar: new Jar(), fapiCookie: undefined, lastReason: undefined };
}

// A browser signed in at the Frontend API (one-shot password), with no app cookies yet.
async function signedInBrowser() {
  const browser = newBrowser();
  const res = await fapi(browser, "POST", "/v1/client/sign_ins", {
    identifier: need("email"),
    password: need("password"),
    strategy: "password",
  });
  eq(res.status, 200, "the FAPI sign-in status");
  const body = await res.json();
  eq(body.response.status, "complete", "the sign-in status");
  browser.sessionId = body.response.created_session_id;
  browser.token = body.client.sessions[0].last_active_token.jwt;
  browser.clientUat = Math.floor(body.client.updated_at / 1000);
  browser.devBrowser = await devBrowserOf(browser);
  return browser;
}

// The dev browser the handshake binds to a client (what the app's __clerk_db_jwt holds).
async function devBrowserOf(browser) {
  const res = await fapi(browser, "GET", `/v1/client/handshake?redirect_url=${encodeURIComponent(APP + "/")}&format=nonce`);
  return new URL(res.headers.get("location")).searchParams.get("__clerk_db_jwt");
}

function expectSignedIn(result, browser, what) {
  eq(result.state.status, "signed-in", `${what}: status (reason ${result.state.reason || result.reason})`);
  const auth = result.state.toAuth();
  eq(auth.sessionId, browser.sessionId, `${what}: the session`);
  check(result.handshakes <= 1, `${what}: ${result.handshakes} handshakes`);
}

function decode(jwt) {
  return JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString());
}

await step("health names the Frontend API and the publishable key", async () => {
  const health = await (await fetch(`${apiUrl}/__admin/health`)).json();
  check(typeof health.frontend_api_url === "string", `frontend_api_url: ${JSON.stringify(health.frontend_api_url)}`);
  check(typeof health.publishable_key === "string" && health.publishable_key.startsWith("pk_test_"), "publishable_key");
  st.fapiUrl = health.frontend_api_url.replace(/\/+$/, "");
  st.pk = health.publishable_key;
  st.clerk = createClerkClient({ secretKey, apiUrl, publishableKey: st.pk });
});

await step("a user made through BAPI", async () => {
  st.email = `hs_${rand}@example.com`;
  st.password = `pw-${rand}-long`;
  const user = await need("clerk").users.createUser({ emailAddress: [st.email], password: st.password });
  st.userId = user.id;
});

await step("dev-browser-missing: one handshake sets the dev browser and the session", async () => {
  const browser = await signedInBrowser();
  const result = await visit(browser, `${APP}/dashboard`);
  eq(result.reason, "dev-browser-missing", "the handshake reason");
  expectSignedIn(result, browser, "after the handshake");
  check(browser.jar.cookies.has("__clerk_db_jwt") && browser.jar.cookies.has("__client_uat"), `cookies: ${browser.jar.header()}`);
  const again = await visit(browser, `${APP}/dashboard`);
  expectSignedIn(again, browser, "the next page");
  eq(again.handshakes, 0, "handshakes on the next page");
  st.signedIn = browser;
});

await step("signed in: fresh cookies pass with no handshake", async () => {
  const browser = need("signedIn");
  const result = await visit(browser, `${APP}/settings`);
  expectSignedIn(result, browser, "signed in");
  eq(result.handshakes, 0, "handshakes");
});

await step("session token but no client_uat: one handshake", async () => {
  const browser = await signedInBrowser();
  browser.jar.apply(`__clerk_db_jwt=${browser.devBrowser}`);
  browser.jar.apply(`__session=${browser.token}`);
  const result = await visit(browser, `${APP}/`);
  eq(result.reason, "session-token-but-no-client-uat", "the handshake reason");
  expectSignedIn(result, browser, "after the handshake");
});

await step("client_uat but no session token: one handshake", async () => {
  const browser = await signedInBrowser();
  browser.jar.apply(`__clerk_db_jwt=${browser.devBrowser}`);
  browser.jar.apply(`__client_uat=${browser.clientUat}`);
  const result = await visit(browser, `${APP}/`);
  eq(result.reason, "client-uat-but-no-session-token", "the handshake reason");
  expectSignedIn(result, browser, "after the handshake");
});

await step("token iat before client_uat: one handshake", async () => {
  const browser = await signedInBrowser();
  browser.jar.apply(`__clerk_db_jwt=${browser.devBrowser}`);
  browser.jar.apply(`__session=${browser.token}`);
  browser.jar.apply(`__client_uat=${decode(browser.token).iat + 100}`);
  const result = await visit(browser, `${APP}/`);
  eq(result.reason, "session-token-iat-before-client-uat", "the handshake reason");
  expectSignedIn(result, browser, "after the handshake");
  const fresh = decode(browser.jar.cookies.get("__session"));
  check(fresh.iat >= Number(browser.jar.cookies.get("__client_uat")), "the new token is not older than the new client_uat");
});

await step("expired token: one handshake refreshes it", async () => {
  const browser = await signedInBrowser();
  browser.jar.apply(`__clerk_db_jwt=${browser.devBrowser}`);
  browser.jar.apply(`__session=${browser.token}`);
  browser.jar.apply(`__client_uat=${browser.clientUat}`);
  const waitMs = (decode(browser.token).exp + 6) * 1000 - Date.now();
  check(waitMs < 60_000, `the token lives ${waitMs} ms more: start the mock with a short --frontend-token-lifetime`);
  await new Promise((r) => setTimeout(r, Math.max(0, waitMs)));
  const result = await visit(browser, `${APP}/`);
  check(String(result.reason).startsWith("session-token-expired"), `the handshake reason: ${result.reason}`);
  expectSignedIn(result, browser, "after the handshake");
}, 90_000);

await step("signed out: the handshake answers signed out, without a loop", async () => {
  const browser = newBrowser();
  const result = await visit(browser, `${APP}/`);
  eq(result.reason, "dev-browser-missing", "the handshake reason");
  eq(result.state.status, "signed-out", "status");
  check(result.handshakes <= 1, `${result.handshakes} handshakes`);
  const again = await visit(browser, `${APP}/`);
  eq([again.state.status, again.handshakes], ["signed-out", 0], "the next page");
});

await step("a session revoked through BAPI signs the app out at the next handshake", async () => {
  const browser = await signedInBrowser();
  const first = await visit(browser, `${APP}/`);
  expectSignedIn(first, browser, "before the revocation");
  await need("clerk").sessions.revokeSession(browser.sessionId);
  const token = await fapi(browser, "POST", `/v1/client/sessions/${browser.sessionId}/tokens`, {});
  eq(token.status, 401, "the next FAPI token call");
  browser.jar.cookies.delete("__session");
  const after = await visit(browser, `${APP}/`);
  eq(after.state.status, "signed-out", "status after the revocation");
  check(after.handshakes <= 1, `${after.handshakes} handshakes`);
});

finish();
