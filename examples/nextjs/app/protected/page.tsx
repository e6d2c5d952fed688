import { auth, currentUser } from '@clerk/nextjs/server';

// Rendered on the server for the signed-in user: the browser suite reads
// these ids to check that the server sees who the browser signed in as.
export default async function Protected() {
  const { userId, orgId, orgSlug, orgRole } = await auth();
  const user = await currentUser();
  return (
    <section>
      <h1>Protected</h1>
      <p id="user-id">{userId}</p>
      <p id="email">{user?.primaryEmailAddress?.emailAddress}</p>
      <p id="org-id">{orgId ?? ''}</p>
      <p id="org-slug">{orgSlug ?? ''}</p>
      <p id="org-role">{orgRole ?? ''}</p>
    </section>
  );
}
