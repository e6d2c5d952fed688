import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ClerkProvider } from '@clerk/react';
import { App } from './App.jsx';

// proxyUrl is relative: clerk-js, @clerk/ui and every FAPI call go through
// Vite's /__clerk proxy, so nothing leaves localhost. signInUrl/signUpUrl keep
// every link in the app (a development instance refuses to link to another
// origin without a dev browser, and the default is Clerk's Account Portal).
createRoot(document.getElementById('root')).render(
  <StrictMode>
    <ClerkProvider
      publishableKey={import.meta.env.VITE_CLERK_PUBLISHABLE_KEY}
      proxyUrl="/__clerk"
      signInUrl="/"
      signUpUrl="/?mode=sign-up"
      afterSignOutUrl="/"
    >
      <App />
    </ClerkProvider>
  </StrictMode>,
);
