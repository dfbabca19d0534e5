/**
 * Polls `read` until `accept` holds and returns the accepted value, or throws after `timeoutMs`
 * with what it last saw (a value or an error).
 */
export async function poll<T>(what: string, read: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 60_000, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: { value?: T; error?: unknown } = {};
  for (;;) {
    try {
      const value = await read();
      if (accept(value)) return value;
      last = { value };
    } catch (error) {
      last = { error };
    }
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  const seen = 'error' in last ? `last error: ${String(last.error)}` : `last value: ${JSON.stringify(last.value)}`;
  throw new Error(`${what}: not ready after ${timeoutMs} ms (${seen})`);
}

/** Polls until `probe` resolves true. */
export async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs = 60_000, intervalMs = 200): Promise<void> {
  await poll(what, probe, (ok) => ok, timeoutMs, intervalMs);
}

/** True when `url` answers with a 2xx status. */
export async function httpOk(url: string, headers: Record<string, string> = {}): Promise<boolean> {
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(2_000) });
  return response.ok;
}
