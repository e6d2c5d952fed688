import { ClerkProvider, OrganizationSwitcher, Show, UserButton } from '@clerk/nextjs';
import type { ReactNode } from 'react';

export const metadata = { title: 'clerk-mock · Next.js example' };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <ClerkProvider>
      <html lang="en">
        <body>
          <header style={{ display: 'flex', gap: 16, alignItems: 'center' }}>
            <a href="/">Home</a>
            <a href="/protected">Protected</a>
            <Show when="signed-out">
              <a href="/sign-in">Sign in</a>
              <a href="/sign-up">Sign up</a>
            </Show>
            <Show when="signed-in">
              <OrganizationSwitcher hidePersonal={false} />
              <UserButton />
            </Show>
          </header>
          <main>{children}</main>
        </body>
      </html>
    </ClerkProvider>
  );
}
