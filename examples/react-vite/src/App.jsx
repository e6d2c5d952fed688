import { useState } from 'react';
import { OrganizationSwitcher, Show, SignIn, SignUp, UserButton, useAuth } from '@clerk/react';

// Calls the Express example's API (proxied by Vite at /api) with the session
// token as a Bearer token: the API verifies it with the mock's JWKS.
function WhoAmI() {
  const { getToken } = useAuth();
  const [answer, setAnswer] = useState(null);
  async function ask() {
    const token = await getToken();
    const res = await fetch('/api/me', { headers: { Authorization: `Bearer ${token}` } });
    setAnswer(await res.json());
  }
  return (
    <div>
      <button id="ask-api" onClick={ask}>Ask the API who I am</button>
      {answer && <pre id="api-answer">{JSON.stringify(answer)}</pre>}
    </div>
  );
}

export function App() {
  const mode = new URLSearchParams(location.search).get('mode');
  return (
    <>
      <header style={{ display: 'flex', gap: 16 }}>
        <Show when="signed-in">
          <OrganizationSwitcher hidePersonal={false} />
          <UserButton />
        </Show>
      </header>
      <Show when="signed-out">
        <p id="status">signed out</p>
        {mode === 'sign-up' ? <SignUp routing="hash" /> : <SignIn routing="hash" />}
      </Show>
      <Show when="signed-in">
        <p id="status">signed in</p>
        <WhoAmI />
      </Show>
    </>
  );
}
