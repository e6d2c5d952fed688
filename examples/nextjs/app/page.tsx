import { auth } from '@clerk/nextjs/server';

export default async function Home() {
  const { userId } = await auth();
  return <p id="status">{userId ? `signed in (${userId})` : 'signed out'}</p>;
}
