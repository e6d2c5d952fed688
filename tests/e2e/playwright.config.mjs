// The browser suite: Playwright starts the mock and the three example apps
// (webServer), then runs specs/ once per app (projects) in Debian's Chromium,
// kept off the network. Every URL is localhost: cookies are per site, and
// localhost and 127.0.0.1 are two sites.
//
// Environment (tests/e2e.rs sets it; defaults suit a manual run):
//   CLERK_MOCK_BIN     the mock's binary (target/debug/clerk-mock)
//   E2E_PORT_BASE      first of six consecutive free ports
//   E2E_TOKEN_LIFETIME session token lifetime in seconds (short, to test the handshake)
//   E2E_APPS           comma list of apps to run (default: all three)
//   E2E_BUNDLES        a node_modules holding @clerk/clerk-js and @clerk/ui for the mock to
//                      serve (default: the Express example's, the versions its lockfile pins)
import { defineConfig } from '@playwright/test';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
const base = Number(process.env.E2E_PORT_BASE || 47100);
const ports = { bapi: base, fapi: base + 1, nextjs: base + 2, express: base + 3, vite: base + 4 };
const lifetime = process.env.E2E_TOKEN_LIFETIME || '20';
const bin = process.env.CLERK_MOCK_BIN || path.join(root, 'target/debug/clerk-mock');
const specDir = process.env.CLERK_MOCK_SPEC_DIR || path.resolve(root, '../shared/clerk-openapi');

// The publishable key of the mock's default frontend host (clerk.mock.localhost);
// the Next.js build inlines it, so it is fixed rather than read at run time.
export const publishableKey = 'pk_test_Y2xlcmsubW9jay5sb2NhbGhvc3Qk';
const secretKey = process.env.CLERK_SECRET_KEY || 'sk_test_e2e_suite';
const apiUrl = `http://localhost:${ports.bapi}`;
const fapiUrl = `http://localhost:${ports.fapi}`;

Object.assign(process.env, {
  CLERK_API_URL: apiUrl,
  CLERK_FAPI_URL: fapiUrl,
  CLERK_SECRET_KEY: secretKey,
  CLERK_PUBLISHABLE_KEY: publishableKey,
  E2E_TOKEN_LIFETIME: lifetime,
  E2E_ARTIFACTS: process.env.E2E_ARTIFACTS || path.join(root, 'target/artifacts/e2e'),
});

const clerkEnv = {
  CLERK_API_URL: apiUrl,
  CLERK_FAPI_URL: fapiUrl,
  CLERK_SECRET_KEY: secretKey,
  CLERK_PUBLISHABLE_KEY: publishableKey,
  CLERK_TELEMETRY_DISABLED: '1',
  NEXT_PUBLIC_CLERK_TELEMETRY_DISABLED: '1',
  NEXT_TELEMETRY_DISABLED: '1',
};

const wanted = (process.env.E2E_APPS || 'nextjs,express,react-vite').split(',');
const chromium = {
  browserName: 'chromium',
  launchOptions: {
    executablePath: process.env.CLERK_MOCK_CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  },
};

const servers = [
  {
    name: 'clerk-mock',
    command: [bin, '--port', ports.bapi, '--frontend-port', ports.fapi, '--spec-dir', specDir, '--offline',
      '--frontend-bundles', process.env.E2E_BUNDLES || path.join(root, 'examples/express/node_modules'),
      '--frontend-token-lifetime', lifetime, '--no-fixtures'].join(' '),
    url: `${apiUrl}/__admin/health`,
    reuseExistingServer: false,
    stdout: 'pipe',
  },
];
if (wanted.includes('nextjs')) {
  servers.push({
    name: 'nextjs',
    command: `npx next start --port ${ports.nextjs} --hostname localhost`,
    cwd: path.join(root, 'examples/nextjs'),
    url: `http://localhost:${ports.nextjs}/`,
    env: clerkEnv,
    reuseExistingServer: false,
  });
}
if (wanted.includes('express') || wanted.includes('react-vite')) {
  servers.push({
    name: 'express',
    command: 'node server.mjs',
    cwd: path.join(root, 'examples/express'),
    url: `http://localhost:${ports.express}/`,
    env: { ...clerkEnv, PORT: String(ports.express), ALLOWED_ORIGIN: `http://localhost:${ports.vite}` },
    reuseExistingServer: false,
  });
}
if (wanted.includes('react-vite')) {
  servers.push({
    name: 'react-vite',
    command: `npx vite preview --port ${ports.vite} --strictPort --host localhost`,
    cwd: path.join(root, 'examples/react-vite'),
    url: `http://localhost:${ports.vite}/`,
    env: { ...clerkEnv, API_URL: `http://localhost:${ports.express}` },
    reuseExistingServer: false,
  });
}

const projects = [
  { name: 'nextjs', use: { ...chromium, baseURL: `http://localhost:${ports.nextjs}` } },
  { name: 'express', use: { ...chromium, baseURL: `http://localhost:${ports.express}` } },
  { name: 'react-vite', use: { ...chromium, baseURL: `http://localhost:${ports.vite}` } },
].filter((p) => wanted.includes(p.name));

export default defineConfig({
  testDir: './specs',
  timeout: 90_000,
  expect: { timeout: 15_000 },
  workers: 1,
  retries: 0,
  reporter: [['list']],
  outputDir: path.join(root, 'target/artifacts/e2e/results'),
  globalSetup: './global-setup.mjs',
  use: { screenshot: 'only-on-failure', trace: 'retain-on-failure' },
  webServer: servers,
  projects,
});
