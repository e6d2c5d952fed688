// An Express app protected by Clerk, pointed at clerk-mock. Clerk's own
// @clerk/express, unpatched: the only difference from a production app is
// the environment (see README.md).
import express from 'express';
import { clerkMiddleware, clerkClient, getAuth, requireAuth } from '@clerk/express';

const port = Number(process.env.PORT || 3100);
const app = express();

// Same-origin proxy (topology A): the browser talks to /__clerk/*, which
// @clerk/express forwards to CLERK_FAPI_URL (the mock's Frontend API).
app.use(clerkMiddleware({ frontendApiProxy: { enabled: true } }));

// The React + Vite example calls this API from another origin with a Bearer token.
const allowedOrigin = process.env.ALLOWED_ORIGIN || 'http://localhost:5173';
app.use('/api', (req, res, next) => {
  res.set('Access-Control-Allow-Origin', allowedOrigin);
  res.set('Access-Control-Allow-Headers', 'authorization, content-type');
  res.set('Vary', 'Origin');
  if (req.method === 'OPTIONS') return res.sendStatus(204);
  next();
});

// Who the server thinks is signed in: read by the browser suite.
app.get('/api/me', (req, res) => {
  const auth = getAuth(req);
  res.json({ userId: auth.userId, sessionId: auth.sessionId, orgId: auth.orgId ?? null, orgRole: auth.orgRole ?? null, orgSlug: auth.orgSlug ?? null });
});

// A protected page: signed-out visitors are sent to the sign-in page.
app.get('/protected', requireAuth({ signInUrl: '/sign-in' }), async (req, res) => {
  const { userId, orgId } = getAuth(req);
  const user = await clerkClient.users.getUser(userId);
  const email = user.primaryEmailAddress?.emailAddress ?? '';
  res.type('html').send(`<!doctype html><title>Protected</title><script src="/clerk-config.js"></script>
<h1>Protected</h1><p id="user-id">${userId}</p><p id="email">${email}</p><p id="org-id">${orgId ?? ''}</p>
<div id="user-button"></div><p><a href="/">Home</a></p>
<script type="module">
  import { loadClerk } from '/clerk.js';
  const clerk = await loadClerk();
  clerk.mountUserButton(document.getElementById('user-button'));
</script>`);
});

// The publishable key, for the static pages.
app.get('/clerk-config.js', (req, res) => {
  res.type('application/javascript').send(`window.CLERK_PUBLISHABLE_KEY = ${JSON.stringify(process.env.CLERK_PUBLISHABLE_KEY)};`);
});

app.use(express.static(new URL('./public/', import.meta.url).pathname, { extensions: ['html'] }));

app.listen(port, 'localhost', () => console.log(`example-express on http://localhost:${port}`));
