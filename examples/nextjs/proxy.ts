// Clerk's middleware (Next 16 calls the file proxy.ts). frontendApiProxy
// forwards /__clerk/* to CLERK_FAPI_URL (the mock's Frontend API) before any
// auth runs, so the handshake and the bundles stay first-party http.
import { clerkMiddleware, createRouteMatcher } from '@clerk/nextjs/server';

const isProtected = createRouteMatcher(['/protected(.*)']);

export default clerkMiddleware(
  async (auth, req) => {
    if (isProtected(req)) await auth.protect();
  },
  { frontendApiProxy: { enabled: true } },
);

export const config = {
  matcher: ['/((?!_next|[^?]*\\.(?:html?|css|js(?!on)|jpe?g|webp|png|gif|svg|ttf|woff2?|ico|csv|docx?|xlsx?|zip|webmanifest)).*)', '/(api|trpc)(.*)', '/__clerk/(.*)'],
};
