/**
 * Reads a Dapr CLI multi-app run file (dapr.yaml). We support the fields Holdfast uses; an unknown
 * field is an error rather than silently ignored, so the file never says more than we honour.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';

const sidecarFields = {
  resourcesPath: z.string().optional(),
  configFilePath: z.string().optional(),
  logLevel: z.enum(['debug', 'info', 'warn', 'error', 'fatal']).optional(),
  appHealthCheckPath: z.string().optional(),
  enableAppHealthCheck: z.boolean().optional(),
  placementHostAddress: z.string().optional(),
  schedulerHostAddress: z.string().optional(),
  env: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
};

const appSchema = z.object({
  appID: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  appDirPath: z.string(),
  /** Without appPort and command: a sidecar alone (the client gateway), as the Dapr CLI runs one. */
  appPort: z.number().int().optional(),
  daprHTTPPort: z.number().int(),
  daprGRPCPort: z.number().int(),
  /** Where other sidecars reach this one (service invocation); random when unset. */
  daprInternalGRPCPort: z.number().int().optional(),
  metricsPort: z.number().int(),
  command: z.array(z.string()).min(1).optional(),
  ...sidecarFields,
}).strict().refine((app) => (app.appPort === undefined) === (app.command === undefined), 'an app has both appPort and command, a sidecar alone neither');

const runFileSchema = z.object({
  version: z.literal(1),
  common: z.object(sidecarFields).strict().default({}),
  apps: z.array(appSchema).min(1),
}).strict();

export type RunFileApp = z.infer<typeof appSchema>;

/** One app with the common settings applied and every path made absolute. */
export interface ResolvedApp extends Omit<RunFileApp, 'env'> {
  env: Record<string, string>;
}

export function resolveRunFile(content: string, baseDir: string): ResolvedApp[] {
  const file = runFileSchema.parse(parse(content));
  return file.apps.map((app) => {
    const merged = { ...file.common, ...app };
    const abs = (p: string | undefined) => (p ? resolve(baseDir, p) : undefined);
    return {
      ...merged,
      appDirPath: resolve(baseDir, app.appDirPath),
      resourcesPath: abs(merged.resourcesPath),
      configFilePath: abs(merged.configFilePath),
      env: Object.fromEntries(Object.entries({ ...file.common.env, ...app.env }).map(([k, v]) => [k, String(v)])),
    };
  });
}

export function readRunFile(path: string): ResolvedApp[] {
  return resolveRunFile(readFileSync(path, 'utf8'), dirname(resolve(path)));
}

/** The port in `env[name]`, or `fallback` when unset; anything but a port number is an error naming the variable. */
export function portFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) throw new Error(`${name} must be a port number, got "${raw}"`);
  return value;
}

/**
 * Lets the environment move an app's ports without editing dapr.yaml:
 * HOLDFAST_<APP>_PORT, HOLDFAST_<APP>_DAPR_HTTP_PORT, HOLDFAST_<APP>_DAPR_GRPC_PORT, HOLDFAST_<APP>_METRICS_PORT,
 * HOLDFAST_<APP>_DAPR_INTERNAL_GRPC_PORT.
 */
export function applyPortOverrides(app: ResolvedApp, env: NodeJS.ProcessEnv): ResolvedApp {
  const prefix = `HOLDFAST_${app.appID.toUpperCase().replace(/-/g, '_')}_`;
  const read = (name: string, fallback: number) => portFromEnv(env, prefix + name, fallback);
  return {
    ...app,
    appPort: app.appPort === undefined ? undefined : read('PORT', app.appPort),
    daprHTTPPort: read('DAPR_HTTP_PORT', app.daprHTTPPort),
    daprGRPCPort: read('DAPR_GRPC_PORT', app.daprGRPCPort),
    metricsPort: read('METRICS_PORT', app.metricsPort),
    daprInternalGRPCPort: app.daprInternalGRPCPort === undefined ? undefined : read('DAPR_INTERNAL_GRPC_PORT', app.daprInternalGRPCPort),
  };
}
