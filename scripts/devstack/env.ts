/**
 * The environment the platform's processes get: connection settings from scripts/infra.sh (the
 * user's DATABASE_URL / REDIS_HOST win there), the Dapr API tokens, and what each component file
 * reads through envRef or the secret store (HOLDFAST_SECRET_*).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');

export interface Connections {
  DATABASE_URL: string;
  REDIS_HOST: string;
  REDIS_PORT: string;
  REDIS_PASSWORD: string;
  DAPR_API_TOKEN: string;
  APP_API_TOKEN: string;
  ADMIN_API_TOKEN: string;
  MANAGER_API_TOKEN: string;
  /** Optional: managers with a token of their own, `name=token,...` (the fulfillment app's MANAGERS). */
  MANAGERS?: string;
  TICKET_SIGNING_KEY: string;
  /** Shared by the payment provider (it signs webhooks) and the booking app's secret store (it verifies them). */
  PAYMENTS_WEBHOOK_SECRET: string;
  /** The delivery app's key for the SendGrid API (locally the providers app, which only checks that one is sent). */
  SENDGRID_API_KEY: string;
  /** The client credential: the gateway sidecar's API token, which opens service invocation and nothing else. */
  CLIENT_API_TOKEN: string;
  /** Comma-separated keys that seal order decisions inside the fulfillment app (shared/src/signed-intent.ts). */
  ORDER_DECISION_KEYS: string;
}

export function readConnections(env: NodeJS.ProcessEnv = process.env): Connections {
  const out = execFileSync('bash', [join(ROOT, 'scripts', 'infra.sh'), 'env'], { env, encoding: 'utf8' });
  const values = Object.fromEntries(out.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  return {
    DATABASE_URL: values.DATABASE_URL ?? '',
    REDIS_HOST: values.REDIS_HOST ?? '127.0.0.1',
    REDIS_PORT: values.REDIS_PORT ?? '6379',
    REDIS_PASSWORD: values.REDIS_PASSWORD ?? '',
    DAPR_API_TOKEN: values.DAPR_API_TOKEN ?? '',
    APP_API_TOKEN: values.APP_API_TOKEN ?? '',
    ADMIN_API_TOKEN: values.ADMIN_API_TOKEN ?? '',
    MANAGER_API_TOKEN: values.MANAGER_API_TOKEN ?? '',
    MANAGERS: env.MANAGERS ?? '',
    TICKET_SIGNING_KEY: values.TICKET_SIGNING_KEY ?? '',
    PAYMENTS_WEBHOOK_SECRET: values.PAYMENTS_WEBHOOK_SECRET ?? '',
    SENDGRID_API_KEY: values.SENDGRID_API_KEY ?? '',
    CLIENT_API_TOKEN: values.CLIENT_API_TOKEN ?? '',
    ORDER_DECISION_KEYS: values.ORDER_DECISION_KEYS ?? '',
  };
}

/**
 * Dapr's state store gets the same database, with its tables in the `dapr` schema
 * (created by the migration 20261125121500_dapr_schema). Prisma-style `?schema=` is not a PostgreSQL parameter:
 * Dapr's driver (pgx) would send it to the server, which refuses it.
 */
export function toDaprPostgresUrl(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.searchParams.delete('schema');
  url.searchParams.set('search_path', 'dapr');
  return url.toString();
}

export interface Tokens {
  daprApiToken: string;
  appApiToken: string;
}

/**
 * One app's tokens with its own sidecar: the user's when given (then every app shares them), else
 * fresh for this run and this app alone, so no app's token opens another app's sidecar. Only
 * the app and its sidecar ever see them (never logged, never written down).
 */
export function runTokens(connections: Pick<Connections, 'DAPR_API_TOKEN' | 'APP_API_TOKEN'>): Tokens {
  return {
    daprApiToken: connections.DAPR_API_TOKEN || randomBytes(24).toString('hex'),
    appApiToken: connections.APP_API_TOKEN || randomBytes(24).toString('hex'),
  };
}

type SidecarSecret = 'STATE_DATABASE_URL' | 'REDIS_PASSWORD' | 'PAYMENTS_WEBHOOK_SECRET';

/**
 * The secrets each app's sidecar holds in its environment, where the local secret store reads
 * them: only what its components need (see their `scopes`) and what the app reads through the
 * secrets API (its Configuration's allowedSecrets). An app not listed (the gateway) holds none.
 * tests/unit/component-scopes.test.ts keeps this, the scopes and the code in step.
 */
export const SIDECAR_SECRETS: Record<string, SidecarSecret[]> = {
  booking: ['STATE_DATABASE_URL', 'PAYMENTS_WEBHOOK_SECRET'],
  fulfillment: ['STATE_DATABASE_URL'],
  delivery: ['REDIS_PASSWORD'],
  skeleton: ['STATE_DATABASE_URL', 'REDIS_PASSWORD'],
  providers: [],
  gateway: [],
};

/** What one app's sidecar reads: the component files' envRef values, its own secrets (HOLDFAST_SECRET_*), its token. */
export function sidecarProcessEnv(base: NodeJS.ProcessEnv, connections: Connections, tokens: Tokens, providersUrl: string, appId: string): NodeJS.ProcessEnv {
  const secrets: Record<SidecarSecret, string> = {
    STATE_DATABASE_URL: toDaprPostgresUrl(connections.DATABASE_URL),
    REDIS_PASSWORD: connections.REDIS_PASSWORD,
    PAYMENTS_WEBHOOK_SECRET: connections.PAYMENTS_WEBHOOK_SECRET,
  };
  // Nothing of the caller's environment that looks like a secret reaches a sidecar by accident.
  const env = Object.fromEntries(Object.entries(base).filter(([key]) => !key.startsWith('HOLDFAST_SECRET_')));
  return {
    ...env,
    DAPR_API_TOKEN: tokens.daprApiToken,
    APP_API_TOKEN: tokens.appApiToken,
    ...Object.fromEntries((SIDECAR_SECRETS[appId] ?? []).map((name) => [`HOLDFAST_SECRET_${name}`, secrets[name]])),
    HOLDFAST_REDIS_ADDRESS: `${connections.REDIS_HOST}:${connections.REDIS_PORT}`,
    HOLDFAST_SMS_GATEWAY_URL: base.HOLDFAST_SMS_GATEWAY_URL ?? `${providersUrl}/sms/send`,
    HOLDFAST_REFUND_GATEWAY_URL: base.HOLDFAST_REFUND_GATEWAY_URL ?? `${providersUrl}/refunds`,
  };
}

export interface AppPorts {
  appPort: number;
  daprHTTPPort: number;
  daprGRPCPort: number;
}

type AppSecret = 'ADMIN_API_TOKEN' | 'MANAGER_API_TOKEN' | 'MANAGERS' | 'TICKET_SIGNING_KEY' | 'SENDGRID_API_KEY' | 'ORDER_DECISION_KEYS' | 'PAYMENTS_WEBHOOK_SECRET';

/** The credentials each app process gets: what its config reads, nothing more. */
export const APP_SECRETS: Record<string, AppSecret[]> = {
  booking: ['ADMIN_API_TOKEN', 'TICKET_SIGNING_KEY'],
  fulfillment: ['MANAGER_API_TOKEN', 'MANAGERS', 'ORDER_DECISION_KEYS'],
  delivery: ['ADMIN_API_TOKEN', 'SENDGRID_API_KEY'],
  // The admin console holds both credentials server-side, for the calls it makes on a user's behalf.
  admin: ['ADMIN_API_TOKEN', 'MANAGER_API_TOKEN'],
  // The payment provider's stand-in signs its webhooks with the secret the booking app verifies.
  providers: ['PAYMENTS_WEBHOOK_SECRET'],
  skeleton: [],
};

/** What one app reads (see each app's config): its port, its sidecar, its database, its own credentials. */
export function appProcessEnv(base: NodeJS.ProcessEnv, connections: Connections, tokens: Tokens, ports: AppPorts, providersUrl: string, appId: string): NodeJS.ProcessEnv {
  const given = Object.fromEntries((APP_SECRETS[appId] ?? []).map((name) => [name, name === 'SENDGRID_API_KEY' ? base.SENDGRID_API_KEY ?? connections.SENDGRID_API_KEY : connections[name] ?? '']));
  // No app inherits another's credential (or the clients') from the caller's environment.
  const foreign = new Set<string>([...Object.values(APP_SECRETS).flat(), 'CLIENT_API_TOKEN']);
  const env = Object.fromEntries(Object.entries(base).filter(([key]) => !foreign.has(key)));
  return {
    ...env,
    APP_PORT: String(ports.appPort),
    DAPR_HOST: '127.0.0.1',
    DAPR_HTTP_PORT: String(ports.daprHTTPPort),
    DAPR_GRPC_PORT: String(ports.daprGRPCPort),
    DAPR_API_TOKEN: tokens.daprApiToken,
    APP_API_TOKEN: tokens.appApiToken,
    DATABASE_URL: connections.DATABASE_URL,
    ...given,
    SENDGRID_API_HOST: base.SENDGRID_API_HOST ?? providersUrl,
    PROVIDERS_URL: base.PROVIDERS_URL ?? providersUrl,
    // Not a secret: GET /health pings Redis without its password (docs/health.md).
    REDIS_ADDRESS: base.REDIS_ADDRESS ?? `${connections.REDIS_HOST}:${connections.REDIS_PORT}`,
  };
}
