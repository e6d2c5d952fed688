// @clerk/testing's own setup, unchanged: it fetches a testing token from the
// Backend API at CLERK_API_URL (the mock) with CLERK_SECRET_KEY.
import { clerkSetup } from '@clerk/testing/playwright';

export default async function globalSetup() {
  await clerkSetup({ dotenv: false });
}
