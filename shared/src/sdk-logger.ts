/** Sends the Dapr SDK's log lines through pino, so they carry our fields and redaction. */
import type { LoggerService } from '@dapr/dapr';
import type { Logger } from 'pino';

export function sdkLoggerService(logger: Logger): LoggerService {
  const sdk = logger.child({ component: 'dapr-sdk' });
  const line = (level: 'error' | 'warn' | 'info' | 'debug') => (message: unknown, ...rest: unknown[]) =>
    sdk[level]({ detail: rest.length ? rest.map(String) : undefined }, String(message));
  return { error: line('error'), warn: line('warn'), info: line('info'), verbose: line('debug'), debug: line('debug') };
}

/**
 * The SDK's workflow engine (its durabletask worker and orchestration executor) builds its own
 * loggers at the info level on the console, ignoring the options WorkflowRuntime takes: about 30
 * unstructured lines per saga. This routes every "DurableTask" line through pino instead, info and
 * below at debug, so they are structured, carry our fields, and cost nothing at LOG_LEVEL=info.
 */
export function routeDurableTaskLogs(logger: Logger): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Logger: SdkLogger } = require('@dapr/dapr/logger/Logger') as { Logger: { prototype: Record<string, (this: { component: string }, ...args: unknown[]) => void> } };
  const proto = SdkLogger.prototype;
  if ((proto as { routedToPino?: boolean }).routedToPino) return;
  const sdk = logger.child({ component: 'dapr-workflow-engine' });
  const route = (method: string, level: 'error' | 'warn' | 'debug') => {
    const original = proto[method]!;
    proto[method] = function (this: { component: string }, message: unknown, ...rest: unknown[]) {
      if (this.component !== 'DurableTask') return original.call(this, message, ...rest);
      if (sdk.isLevelEnabled(level)) sdk[level]({ detail: rest.length ? rest.map(String) : undefined }, String(message));
    };
  };
  route('error', 'error');
  route('warn', 'warn');
  for (const method of ['info', 'verbose', 'debug']) route(method, 'debug');
  (proto as { routedToPino?: boolean }).routedToPino = true;
}
