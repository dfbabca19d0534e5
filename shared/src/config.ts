import { z } from 'zod';

/** Raised when the environment does not satisfy an app's config schema; lists every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

export const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);

/** Settings every app shares: how to reach its sidecar and how to log. */
export const sidecarEnv = {
  DAPR_HOST: z.string().default('127.0.0.1'),
  DAPR_HTTP_PORT: port(3500),
  DAPR_GRPC_PORT: port(50001),
  /** Token the app must send to its sidecar (daprd is started with the same DAPR_API_TOKEN). */
  DAPR_API_TOKEN: z.string().min(16).optional(),
  /** Token the sidecar sends to the app in the `dapr-api-token` header. */
  APP_API_TOKEN: z.string().min(16).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** App ids whose service invocations this app takes (shared/src/invocation-guard.ts): the client gateway. */
  INVOCATION_CALLERS: z.string().default('gateway'),
  /**
   * Requests per second one client credential (one gateway) may send this app replica; over it,
   * 429 with Retry-After (shared/src/client-rate-limit.ts). 0: no limit. The default leaves a
   * ticket drop room (200 holds/s plus confirms) on one replica.
   */
  CLIENT_RATE_LIMIT_PER_SECOND: z.coerce.number().int().min(0).max(1_000_000).default(1_000),
};

/**
 * Parses `env` against `shape` and fails fast with one message naming every offending variable,
 * so a misconfigured deployment dies at start-up instead of on its first request.
 */
export function loadConfig<Shape extends z.ZodRawShape>(
  shape: Shape,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<z.ZodObject<Shape>> {
  const result = z.object(shape).safeParse(env);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => `${issue.path.join('.') || '(env)'}: ${issue.message}`),
    );
  }
  return result.data;
}

/** Settings of an app that runs beside a sidecar and keeps its records in PostgreSQL. */
export function daprAppEnv(defaultPort: number) {
  return {
    ...sidecarEnv,
    APP_PORT: port(defaultPort),
    /** 127.0.0.1 locally; 0.0.0.0 in a pod, where the kubelet probes the pod IP. */
    APP_HOST: z.string().default('127.0.0.1'),
    DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'a postgresql:// connection URL'),
  };
}
