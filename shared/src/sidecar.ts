/** How an app reaches its own Dapr sidecar, and the readiness check that says whether it can. */
import type { DaprClient, DaprClientOptions } from '@dapr/dapr';
import type { Logger } from 'pino';
import { daprSdk } from './dapr-sdk';
import { sdkLoggerService } from './sdk-logger';
import type { ReadinessCheck } from './http-app';

export interface SidecarSettings {
  DAPR_HOST: string;
  DAPR_HTTP_PORT: number;
  DAPR_GRPC_PORT: number;
  DAPR_API_TOKEN?: string;
}

export function sidecarHeaders(settings: SidecarSettings): Record<string, string> {
  return settings.DAPR_API_TOKEN ? { 'dapr-api-token': settings.DAPR_API_TOKEN } : {};
}

export function sidecarUrl(settings: SidecarSettings, path: string): string {
  return `http://${settings.DAPR_HOST}:${settings.DAPR_HTTP_PORT}${path}`;
}

/**
 * Ready when daprd says its outbound side works (components loaded, APIs up). We ask
 * /healthz/outbound rather than /healthz because the latter also waits on this very app.
 */
export function sidecarReadiness(settings: SidecarSettings): ReadinessCheck {
  return {
    name: 'dapr-sidecar',
    check: async () => {
      const response = await fetch(sidecarUrl(settings, '/v1.0/healthz/outbound'), {
        headers: sidecarHeaders(settings), signal: AbortSignal.timeout(2_000),
      });
      if (!response.ok) throw new Error(`sidecar answered ${response.status}`);
    },
  };
}

/** Resolves once the sidecar's APIs answer; the workflow worker must not start before (it gives up at once). */
export async function waitForSidecarOutbound(settings: SidecarSettings, timeoutMs = 60_000): Promise<void> {
  const { check } = sidecarReadiness(settings);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`Dapr sidecar on port ${settings.DAPR_HTTP_PORT} not reachable after ${timeoutMs} ms: ${String(error)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** How the SDK reaches the app's own sidecar: its HTTP API, with the token, logging through pino. */
export function daprClientOptions(settings: SidecarSettings, logger?: Logger): Partial<DaprClientOptions> {
  const { CommunicationProtocolEnum, LogLevel } = daprSdk();
  return {
    daprHost: settings.DAPR_HOST,
    daprPort: String(settings.DAPR_HTTP_PORT),
    communicationProtocol: CommunicationProtocolEnum.HTTP,
    daprApiToken: settings.DAPR_API_TOKEN,
    ...(logger ? { logger: { level: LogLevel.Warn, service: sdkLoggerService(logger) } } : {}),
  };
}

/** A DaprClient for the app's own sidecar, made in main.ts and passed where needed. */
export function createDaprClient(settings: SidecarSettings, logger?: Logger): DaprClient {
  return new (daprSdk().DaprClient)(daprClientOptions(settings, logger));
}

/**
 * One value from a Dapr secret store through the app's own sidecar
 * (GET /v1.0/secrets/<store>/<name>, which answers a JSON map of the secret's keys). `name` is the
 * secret, `key` the entry in it: locally (secretstores.local.env) both are the variable's name
 * without its prefix; in Kubernetes `name` is the Secret (holdfast-secrets) and `key` one of its keys.
 * Throws, naming the store, secret and key (never the value), when it is missing or empty.
 */
export async function readSecret(settings: SidecarSettings, store: string, name: string, key = name): Promise<string> {
  const where = `secret ${name}${key === name ? '' : ` (key ${key})`} of the Dapr secret store ${store}`;
  const response = await fetch(sidecarUrl(settings, `/v1.0/secrets/${encodeURIComponent(store)}/${encodeURIComponent(name)}`), {
    headers: sidecarHeaders(settings), signal: AbortSignal.timeout(5_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`cannot read the ${where}: the sidecar answered ${response.status} ${text.slice(0, 300)}`);
  let values: Record<string, unknown>;
  try {
    values = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new Error(`cannot read the ${where}: the sidecar's answer is not JSON`);
  }
  const value = values?.[key];
  if (typeof value !== 'string' || value === '') throw new Error(`the ${where} is missing or empty`);
  return value;
}
