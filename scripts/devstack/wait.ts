/** Polls until `probe` resolves true, or throws after `timeoutMs` naming what never became ready. */
export async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs = 60_000, intervalMs = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await probe()) return;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`${what} not ready after ${timeoutMs} ms${lastError ? ` (last error: ${String(lastError)})` : ''}`);
}

/** True when `url` answers with a 2xx status. */
export async function httpOk(url: string, headers: Record<string, string> = {}): Promise<boolean> {
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(2_000) });
  return response.ok;
}
