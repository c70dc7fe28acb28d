/**
 * Polls `check` until it returns a value other than undefined, or fails after `timeoutMs` naming `what` and the
 * last value seen. For conditions no event announces (a server's /ping, a mutation's state); never a fixed wait.
 */
export async function pollUntil<T>(
  what: string,
  check: () => Promise<T | undefined>,
  opts: { timeoutMs?: number; intervalMs?: number; describeLast?: () => string } = {},
): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const intervalMs = opts.intervalMs ?? 25;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let lastError: unknown = null;
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const last = lastError ? ` (last error: ${(lastError as Error).message})` : opts.describeLast ? ` (last: ${opts.describeLast()})` : '';
      throw new Error(`${what}: not within ${timeoutMs} ms${last}`);
    }
    await new Promise<void>((resolve) => setTimeout(resolve, intervalMs));
  }
}
