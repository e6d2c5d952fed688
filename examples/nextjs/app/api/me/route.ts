import { auth } from '@clerk/nextjs/server';

// What the server's auth() says about the caller (cookie or Bearer token).
export async function GET() {
  const { userId, sessionId, orgId, orgRole, orgSlug } = await auth();
  return Response.json({ userId, sessionId, orgId: orgId ?? null, orgRole: orgRole ?? null, orgSlug: orgSlug ?? null });
}
