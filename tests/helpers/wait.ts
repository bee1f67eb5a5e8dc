// Waiting for something another connection or process does (a LISTEN coming up, locks queued, a
// child process reaching a point). The condition is polled; the time limit only turns a condition
// that never comes true into a failure naming it, and is generous so a loaded machine passes.

const POLL_MS = 25;
const LIMIT_MS = 45_000;

export async function waitUntil(
  check: () => Promise<boolean> | boolean,
  what: string,
  limitMs = LIMIT_MS,
): Promise<void> {
  const until = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
