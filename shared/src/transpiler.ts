/**
 * The apps run their TypeScript through tsx (`node --require tsx/cjs`), which transpiles a module at
 * load with esbuild: a worker thread and an esbuild service process beside the app, idle once the
 * app has loaded (about 18 MiB together, measured on the booking app's modules with a cold tsx
 * cache, as in a fresh container). Stopped once the app listens; a module loaded later starts them
 * again (esbuild does, on its next transform). Nothing to stop when tsx's cache had every module
 * (no worker was started) or when tsx is not what loaded the app.
 */
export async function releaseTranspiler(): Promise<void> {
  let esbuild: { stop?: () => Promise<void> | void };
  try {
    // tsx's own esbuild, the instance whose worker runs.
    esbuild = require(require.resolve('esbuild', { paths: [require.resolve('tsx')] })) as typeof esbuild;
  } catch {
    return;
  }
  await esbuild.stop?.();
}
