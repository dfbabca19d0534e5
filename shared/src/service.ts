/**
 * Starting and stopping an app process: listen, log where, and on SIGTERM/SIGINT stop taking
 * requests, run the app's own shutdown steps, then exit, so `npm start`'s Ctrl-C leaves nothing behind.
 */
import type { Express } from 'express';
import type { Server } from 'node:http';
import type { Logger } from 'pino';

export interface ServiceHandle {
  close(): Promise<void>;
}

/**
 * `drainMs`: on close, idle connections go at once and a request under way gets this long to
 * finish before its connection is cut (0, the default: every connection is cut at once).
 */
export function listen(app: Express, port: number, host = '127.0.0.1', options: { drainMs?: number } = {}): Promise<ServiceHandle> {
  return new Promise((resolve, reject) => {
    const server: Server = app.listen(port, host, () => {
      resolve({
        close: () => new Promise<void>((done) => {
          server.close(() => done());
          if (!options.drainMs) return void server.closeAllConnections();
          server.closeIdleConnections();
          setTimeout(() => server.closeAllConnections(), options.drainMs).unref();
        }),
      });
    });
    server.once('error', reject);
  });
}

/** Installs signal handlers that run `steps` in order once, then exit with 0 (or 1 if a step failed). */
export function shutdownOnSignals(logger: Logger, steps: Array<() => Promise<unknown>>): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    let failed = false;
    for (const step of steps) {
      try {
        await step();
      } catch (error) {
        failed = true;
        logger.error({ err: error }, 'shutdown step failed');
      }
    }
    process.exit(failed ? 1 : 0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

/** Logs and exits on a configuration or start-up error: an app that cannot start must say why and stop. */
export function exitOnStartupFailure(logger: Logger | undefined, error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  if (logger) logger.fatal({ err: error }, 'start-up failed');
  else process.stderr.write(`start-up failed: ${message}\n`);
  process.exit(1);
}
