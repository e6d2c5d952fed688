// A Clerk app's end-to-end suite, offline: Clerk's own components in a real
// browser, Clerk's own middleware on the server, the mock instead of Clerk.
import { expect, test } from '@playwright/test';
import { clerk, setupClerkTestingToken } from '@clerk/testing/playwright';

import { appOf } from '../apps.mjs';
import { PASSWORD, bapi, createUser, freshEmail, latestCode, sessionsOf, shot } from '../lib.mjs';

const signedIn = (page) => page.waitForFunction(() => !!window.Clerk?.user, null, { timeout: 20_000 });
const signedOut = (page) => survivingNavigation(() => page.waitForFunction(() => window.Clerk?.loaded && !window.Clerk.user, null, { timeout: 30_000 }));

/** Signing out navigates to afterSignOutUrl: a page script may lose its context mid-call; try again on the new page. */
async function survivingNavigation(step) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await step();
    } catch (err) {
      if (attempt > 3 || !/Execution context was destroyed|navigation/i.test(String(err))) throw err;
    }
  }
}

/**
 * page.goto that waits out a redirect still landing (a sign-out's, a handshake's). When the app
 * itself is navigating to the same URL (a sign-out's afterSignOutUrl), going there again would only
 * interrupt it once more: wait for that navigation to load instead.
 */
async function go(page, url) {
  return survivingNavigation(async () => {
    try {
      return await page.goto(url);
    } catch (err) {
      if (!/interrupted by another navigation/i.test(String(err))) throw err;
      const target = new URL(url, page.url()).href;
      await page.waitForURL((u) => u.href.startsWith(target), { timeout: 20_000 });
      await page.waitForLoadState('load');
      return null;
    }
  });
}

/** Clerk.signOut() from the page, not awaited inside it: the navigation it starts may end the page's context. */
async function signOutFromPage(page) {
  await loaded(page);
  await page.evaluate(() => { void window.Clerk.signOut(); });
  await signedOut(page);
  await page.waitForLoadState('load');
}
const loaded = (page) => page.waitForFunction(() => window.Clerk?.loaded, null, { timeout: 30_000 });
const continueButton = (page) => page.getByRole('button', { name: 'Continue', exact: true });

async function enterCode(page, code) {
  const digits = page.getByRole('textbox', { name: 'Enter verification code. Digit 1' });
  if (await digits.isVisible().catch(() => false)) {
    await digits.click();
    await page.keyboard.type(code, { delay: 50 });
  } else {
    await page.getByLabel('Enter verification code').fill(code);
  }
}

async function signInWithPassword(page, app, email) {
  await go(page, app.signIn);
  await page.locator('input[name=identifier]').fill(email);
  await continueButton(page).click();
  await page.locator('input[name=password]').fill(PASSWORD);
  await continueButton(page).click();
  await signedIn(page);
}

async function expectServerSees(page, app, user) {
  const me = await app.whoAmI(page);
  expect(me.userId).toBe(user.id);
  if (app.protected) {
    await go(page, app.protected);
    await expect(page.locator('#user-id')).toHaveText(user.id);
  }
  return me;
}

test.describe.configure({ mode: 'serial' });

test('a signed-out visitor sees the sign-in form and the server sees nobody', async ({ page }, testInfo) => {
  const app = appOf(testInfo);
  await go(page, app.signIn);
  await loaded(page);
  await expect(page.locator('input[name=identifier]')).toBeVisible();
  await shot(page, testInfo, 'signed-out');
  if (app.hasServer) expect((await app.whoAmI(page)).userId).toBeNull();
  if (app.protected) {
    await go(page, app.protected);
    await expect(page).toHaveURL(/sign-in/);
  }
});

test('signing up with email, password and the emailed code ends signed in, and BAPI lists the user', async ({ page }, testInfo) => {
  const app = appOf(testInfo);
  const email = freshEmail('sign-up');
  await go(page, app.signUp);
  await page.locator('input[name=emailAddress]').fill(email);
  await page.locator('input[name=password]').fill(PASSWORD);
  await shot(page, testInfo, 'form');
  await continueButton(page).click();
  await expect(page.getByText(/verify your email/i)).toBeVisible();
  await enterCode(page, await latestCode(email));
  await signedIn(page);
  await shot(page, testInfo, 'signed-in');
  const users = await bapi('GET', `/users?email_address=${encodeURIComponent(email)}`);
  expect(users).toHaveLength(1);
  await expectServerSees(page, app, users[0]);

  // Sign out, then back in with the password.
  await signOutFromPage(page); // the protected page just loaded clerk-js again
  await signInWithPassword(page, app, email);
  await expectServerSees(page, app, users[0]);
  await shot(page, testInfo, 'signed-in-again');
});

test('signing in with an emailed code works for a user made through BAPI', async ({ page }, testInfo) => {
  const app = appOf(testInfo);
  const email = freshEmail('code');
  const user = await bapi('POST', '/users', { email_address: [email] }); // no password: the code is the first factor
  await go(page, app.signIn);
  await page.locator('input[name=identifier]').fill(email);
  await continueButton(page).click();
  await expect(page.getByText(/check your email/i)).toBeVisible();
  await shot(page, testInfo, 'code-asked');
  await enterCode(page, await latestCode(email));
  await signedIn(page);
  await expectServerSees(page, app, user);
});

test("a sign-in token from BAPI and @clerk/testing's password helper sign the browser in", async ({ page }, testInfo) => {
  const app = appOf(testInfo);
  const user = await createUser(freshEmail('ticket'));
  const { token } = await bapi('POST', '/sign_in_tokens', { user_id: user.id });
  await setupClerkTestingToken({ page });
  await go(page, app.home);
  await clerk.signIn({ page, signInParams: { strategy: 'ticket', ticket: token } });
  await signedIn(page);
  await expectServerSees(page, app, user);
  await survivingNavigation(() => clerk.signOut({ page }));
  await signedOut(page);

  // @clerk/testing's password strategy (one-shot sign-in create).
  await go(page, app.home);
  await clerk.signIn({ page, signInParams: { strategy: 'password', identifier: user.email_addresses[0].email_address, password: PASSWORD } });
  await signedIn(page);
  await expectServerSees(page, app, user);
  await shot(page, testInfo, 'testing-helpers');
});

test('creating and switching organizations gives the server the org claims', async ({ page }, testInfo) => {
  const app = appOf(testInfo);
  const email = freshEmail('org');
  const user = await createUser(email);
  const theirs = await bapi('POST', '/organizations', { name: `Existing ${Date.now()}`, created_by: user.id });
  await signInWithPassword(page, app, email);

  // Create one in the browser (Clerk's API, as the "Create organization" form does), then switch.
  const created = await page.evaluate(async () => {
    const org = await window.Clerk.createOrganization({ name: `Browser Org ${Date.now()}` });
    await window.Clerk.setActive({ organization: org.id });
    return { id: org.id };
  });
  await expect.poll(async () => (await app.whoAmI(page)).orgId).toBe(created.id);
  expect((await app.whoAmI(page)).orgRole).toBe('org:admin');
  await page.evaluate((id) => window.Clerk.setActive({ organization: id }), theirs.id);
  await expect.poll(async () => (await app.whoAmI(page)).orgId).toBe(theirs.id);
  if (app.protected) {
    // clerk-js's token poller may still have a refresh for the previous
    // organization in flight, which rewrites __session once more after the
    // switch (on a loaded machine the window is wide): the server-rendered
    // page must show the new organization once that refresh has landed.
    await expect.poll(async () => {
      await go(page, app.protected);
      return page.locator('#org-id').textContent();
    }, { timeout: 20_000 }).toBe(theirs.id);
  }
  await shot(page, testInfo, 'org-switched');
});

test('after the session token expired, a reload and a navigation end signed in through the handshake', async ({ page, context }, testInfo) => {
  const app = appOf(testInfo);
  test.skip(!app.hasServer, 'a single-page app has no server middleware and no handshake');
  const email = freshEmail('expired');
  const user = await createUser(email);
  await signInWithPassword(page, app, email);
  await page.close(); // no tab left to refresh the token
  const lifetime = Number(process.env.E2E_TOKEN_LIFETIME || 20);
  await new Promise((r) => setTimeout(r, (lifetime + 6) * 1000));
  const again = await context.newPage();
  const documents = [];
  again.on('request', (r) => r.isNavigationRequest() && documents.push(r.url()));
  await go(again, app.protected);
  await expect(again.locator('#user-id')).toHaveText(user.id);
  expect(documents.filter((u) => u.includes('/v1/client/handshake')).length, documents.join('\n')).toBeLessThanOrEqual(1);
  await again.reload();
  await expect(again.locator('#user-id')).toHaveText(user.id);
  await shot(again, testInfo, 'after-expiry');
});

test('signing out from the user menu ends the session in BAPI too', async ({ page }, testInfo) => {
  const app = appOf(testInfo);
  const email = freshEmail('menu');
  const user = await createUser(email);
  await signInWithPassword(page, app, email);
  await go(page, app.home);
  await page.locator('.cl-userButtonTrigger').click();
  await shot(page, testInfo, 'menu');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await signedOut(page);
  await expect.poll(async () => (await sessionsOf(user.id, 'active')).length).toBe(0);
});

test('a user banned through BAPI is signed out at the next token refresh', async ({ page }, testInfo) => {
  const app = appOf(testInfo);
  const email = freshEmail('ban');
  const user = await createUser(email);
  await signInWithPassword(page, app, email);
  await loaded(page);
  await bapi('POST', `/users/${user.id}/ban`);
  await page.evaluate(() => window.Clerk.session?.getToken({ skipCache: true }).catch(() => null));
  await signedOut(page);
  await shot(page, testInfo, 'banned');
});
