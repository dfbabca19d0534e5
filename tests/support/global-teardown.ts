export default async function globalTeardown(): Promise<void> {
  const stopAll = (globalThis as Record<string, unknown>).__holdfastStopAll as (() => Promise<void>) | undefined;
  await stopAll?.();
}
