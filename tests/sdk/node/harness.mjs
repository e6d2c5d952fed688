// The step harness shared by the Node SDK flows (users_flow.mjs, tokens_flow.mjs).
//
// Every step prints `PASS <step>` or `FAIL <step>: <reason>`; finish() prints the last
// line, `N passed, M failed`, and exits non-zero when anything failed.

let passed = 0;
let failed = 0;
// Shared state between steps; a step whose prerequisite is missing fails with that reason.
export const st = {};

// Describes the flow's SDK errors; answers undefined for anything else (see configure).
let describeSdkError = () => undefined;

// describeSdkError(err): the flow's description of an SDK error, or undefined to leave
// it to the generic one.
export function configure(options) {
  if (options.describeSdkError) describeSdkError = options.describeSdkError;
}

export class Check extends Error {}
export function check(cond, msg) {
  if (!cond) throw new Check(msg);
}
export function eq(actual, expected, what) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  check(a === e, `${what}: expected ${e}, got ${a}`);
}
export function need(key) {
  check(st[key] !== undefined, `prerequisite missing: ${key} (an earlier step failed)`);
  return st[key];
}

export function describeError(err) {
  if (err instanceof Check) return err.message;
  const sdk = describeSdkError(err);
  if (sdk !== undefined) return sdk;
  return `${err && err.name ? err.name + ": " : ""}${err && err.message ? err.message : String(err)}`;
}
// A Clerk API error (one with an `errors` array), each entry described by `describeEach`.
export function describeApiErrors(err, describeEach) {
  return `${err.name || "Error"} status=${err.status} errors=[${err.errors.map(describeEach).join(", ")}]`;
}

export async function step(name, fn, timeoutMs = 15_000) {
  let timer;
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Check(`timed out after ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    passed++;
    console.log(`PASS ${name}`);
  } catch (err) {
    failed++;
    console.log(`FAIL ${name}: ${describeError(err)}`);
  } finally {
    clearTimeout(timer);
  }
}

// Prints the `N passed, M failed` line and exits: 0 when every step passed, 1 otherwise.
export function finish() {
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}
