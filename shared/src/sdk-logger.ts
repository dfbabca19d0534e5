/** Sends the Dapr SDK's log lines through pino, so they carry our fields and redaction. */
import type { LoggerService } from '@dapr/dapr';
import type { Logger } from 'pino';

export function sdkLoggerService(logger: Logger): LoggerService {
  const sdk = logger.child({ component: 'dapr-sdk' });
  const line = (level: 'error' | 'warn' | 'info' | 'debug') => (message: unknown, ...rest: unknown[]) =>
    sdk[level]({ detail: rest.length ? rest.map(String) : undefined }, String(message));
  return { error: line('error'), warn: line('warn'), info: line('info'), verbose: line('debug'), debug: line('debug') };
}
