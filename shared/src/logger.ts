import pino, { type Logger } from 'pino';
import { currentCorrelationId } from './correlation';

/**
 * Paths pino replaces with "[redacted]". Secrets must never reach a log line, even when a whole
 * request, config or error object is logged.
 */
export const REDACTED_PATHS = [
  'password', '*.password', 'token', '*.token', 'apiKey', '*.apiKey', 'secret', '*.secret',
  'authorization', '*.authorization', 'headers.authorization', 'req.headers.authorization',
  'req.headers["dapr-api-token"]', 'req.headers.cookie', 'req.headers["x-admin-token"]',
  'headers["dapr-api-token"]', 'DAPR_API_TOKEN', 'APP_API_TOKEN', 'DATABASE_URL', 'REDIS_PASSWORD',
  '*.DAPR_API_TOKEN', '*.APP_API_TOKEN', '*.DATABASE_URL', '*.REDIS_PASSWORD',
  'payment.token', '*.payment.token', 'card', '*.card',
];

export type { Logger };

export function createLogger(app: string, level = 'info'): Logger {
  return pino({
    name: app,
    level,
    base: { app },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    // Every line written inside a request carries that request's correlation id.
    mixin: () => {
      const correlationId = currentCorrelationId();
      return correlationId ? { correlationId } : {};
    },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
