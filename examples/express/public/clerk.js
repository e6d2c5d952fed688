// Loads clerk-js and @clerk/ui through the app's own /__clerk proxy (the mock
// serves the bundles from node_modules), then mounts whatever the page asks for.
const pk = window.CLERK_PUBLISHABLE_KEY;

function script(src, attrs = {}) {
  return new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = src;
    s.crossOrigin = 'anonymous';
    for (const [k, v] of Object.entries(attrs)) s.setAttribute(k, v);
    s.onload = resolve;
    s.onerror = () => reject(new Error(`could not load ${src}`));
    document.head.appendChild(s);
  });
}

export async function loadClerk() {
  await script('/__clerk/npm/@clerk/ui@1/dist/ui.browser.js');
  await script('/__clerk/npm/@clerk/clerk-js@6/dist/clerk.browser.js', {
    'data-clerk-publishable-key': pk,
    'data-clerk-proxy-url': '/__clerk',
  });
  await window.Clerk.load({
    ui: { ClerkUI: window.__internal_ClerkUICtor },
    signInUrl: '/sign-in',
    signUpUrl: '/sign-up',
    afterSignOutUrl: '/',
  });
  return window.Clerk;
}
