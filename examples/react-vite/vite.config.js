// The browser talks to /__clerk/* on the Vite origin; Vite forwards it to the
// mock's Frontend API (CLERK_FAPI_URL). CLERK_SECRET_KEY, when set, tells the
// mock which instance this app's browser belongs to (parallel suites).
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const fapi = process.env.CLERK_FAPI_URL || 'http://localhost:8788';
const headers = process.env.CLERK_SECRET_KEY ? { 'Clerk-Secret-Key': process.env.CLERK_SECRET_KEY } : {};
const forward = { target: fapi, changeOrigin: true, headers, rewrite: (path) => path.replace(/^\/__clerk/, '') };
// The Express example's API (verifies the Bearer token with the mock's JWKS).
const api = { target: process.env.API_URL || 'http://localhost:3100', changeOrigin: true };

export default defineConfig({
  plugins: [react()],
  server: { proxy: { '/__clerk': forward, '/api': api } },
  preview: { proxy: { '/__clerk': forward, '/api': api } },
});
