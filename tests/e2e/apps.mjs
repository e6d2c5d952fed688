// The three example apps under examples/, as the browser suite sees them:
// where their pages are and how each asks its server who is signed in.
import { expect } from '@playwright/test';

/** Pages that mount Clerk's own <SignIn/> / <SignUp/> and a page the server protects. */
const serverRendered = {
  signIn: '/sign-in',
  signUp: '/sign-up',
  home: '/',
  protected: '/protected',
  hasServer: true,
  /** The server's own view of the request (auth() / getAuth()), through the browser's cookies. */
  async whoAmI(page) {
    const res = await page.request.get('/api/me');
    expect(res.status()).toBe(200);
    return res.json();
  },
};

export const apps = {
  nextjs: { ...serverRendered },
  express: { ...serverRendered },
  // A single-page app: SignIn / SignUp on "/", and the Express example's API
  // called with `Authorization: Bearer <getToken()>`.
  'react-vite': {
    signIn: '/',
    signUp: '/?mode=sign-up',
    home: '/',
    protected: null,
    hasServer: false,
    async whoAmI(page) {
      await page.locator('#ask-api').click();
      const answer = page.locator('#api-answer');
      await expect(answer).toBeVisible();
      return JSON.parse(await answer.textContent());
    },
  },
};

export function appOf(testInfo) {
  return apps[testInfo.project.name];
}
