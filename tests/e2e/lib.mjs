// What every browser flow needs besides the page: the mock's Backend API
// (as the app's own server code would call it) and its outbox of emails.
import { expect } from '@playwright/test';

export const apiUrl = () => process.env.CLERK_API_URL;
export const secretKey = () => process.env.CLERK_SECRET_KEY;

/** A Backend API call with the suite's secret key, answered as JSON. */
export async function bapi(method, path, body) {
  const res = await fetch(`${apiUrl()}/v1${path}`, {
    method,
    headers: { Authorization: `Bearer ${secretKey()}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/**
 * The newest verification code the mock "sent" to `email` (GET /__admin/emails).
 * Polls: the component shows the code form before its prepare call lands.
 */
export async function latestCode(email) {
  let code;
  await expect
    .poll(async () => {
      const res = await fetch(`${apiUrl()}/__admin/emails?to=${encodeURIComponent(email)}`, {
        headers: { Authorization: `Bearer ${secretKey()}` },
      });
      if (res.status !== 200) return `GET /__admin/emails → ${res.status}`;
      const { data } = await res.json();
      const withCode = data.filter((m) => m.code).sort((a, b) => b.created_at - a.created_at);
      code = withCode[0]?.code;
      return code ? 'found' : 'no email with a code yet';
    }, { message: `an email with a code to ${email}`, timeout: 10_000 })
    .toBe('found');
  return code;
}

/** A fresh address per test, so runs never collide. */
export function freshEmail(tag) {
  return `${tag}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
}

export const PASSWORD = 'correct-horse-battery-staple-42';

/** A user made through the Backend API, as a test fixture would. */
export async function createUser(email, password = PASSWORD) {
  return bapi('POST', '/users', { email_address: [email], password, skip_password_checks: true });
}

/** The users' sessions as the Backend API lists them. */
export async function sessionsOf(userId, status) {
  const q = new URLSearchParams({ user_id: userId });
  if (status) q.set('status', status);
  const list = await bapi('GET', `/sessions?${q}`);
  return Array.isArray(list) ? list : list.data;
}

/** Saves a screenshot as a test artifact (target/artifacts/e2e/<project>/<n>-<step>.png). */
export async function shot(page, testInfo, step) {
  const dir = process.env.E2E_ARTIFACTS || 'artifacts';
  const n = String((testInfo.__shots = (testInfo.__shots || 0) + 1)).padStart(2, '0');
  const safe = `${testInfo.title}-${n}-${step}`.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
  await page.screenshot({ path: `${dir}/${testInfo.project.name}/${safe}.png`, fullPage: true });
}
