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
  TICKET_SIGNING_KEY: string;
  /** Shared by the payment provider (it signs webhooks) and the booking app's secret store (it verifies them). */
  PAYMENTS_WEBHOOK_SECRET: string;
  /** The delivery app's key for the SendGrid API (locally the providers app, which only checks that one is sent). */
  SENDGRID_API_KEY: string;
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
    TICKET_SIGNING_KEY: values.TICKET_SIGNING_KEY ?? '',
    PAYMENTS_WEBHOOK_SECRET: values.PAYMENTS_WEBHOOK_SECRET ?? '',
    SENDGRID_API_KEY: values.SENDGRID_API_KEY ?? '',
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

/** The user's tokens when given, else the ones kept in .data/local.env (never logged). */
export function runTokens(connections: Connections): Tokens {
  return {
    daprApiToken: connections.DAPR_API_TOKEN || randomBytes(24).toString('hex'),
    appApiToken: connections.APP_API_TOKEN || randomBytes(24).toString('hex'),
  };
}

/** What every sidecar reads: the component files' envRef and HOLDFAST_SECRET_* names. */
export function sidecarProcessEnv(base: NodeJS.ProcessEnv, connections: Connections, tokens: Tokens, providersUrl: string): NodeJS.ProcessEnv {
  return {
    ...base,
    DAPR_API_TOKEN: tokens.daprApiToken,
    APP_API_TOKEN: tokens.appApiToken,
    HOLDFAST_SECRET_STATE_DATABASE_URL: toDaprPostgresUrl(connections.DATABASE_URL),
    HOLDFAST_SECRET_REDIS_PASSWORD: connections.REDIS_PASSWORD,
    HOLDFAST_REDIS_ADDRESS: `${connections.REDIS_HOST}:${connections.REDIS_PORT}`,
    HOLDFAST_SECRET_PAYMENTS_WEBHOOK_SECRET: connections.PAYMENTS_WEBHOOK_SECRET,
    HOLDFAST_SMS_GATEWAY_URL: base.HOLDFAST_SMS_GATEWAY_URL ?? `${providersUrl}/sms/send`,
    HOLDFAST_REFUND_GATEWAY_URL: base.HOLDFAST_REFUND_GATEWAY_URL ?? `${providersUrl}/refunds`,
  };
}

export interface AppPorts {
  appPort: number;
  daprHTTPPort: number;
  daprGRPCPort: number;
}

/** What every app reads (see each app's config): its port, its sidecar, its database. */
export function appProcessEnv(base: NodeJS.ProcessEnv, connections: Connections, tokens: Tokens, ports: AppPorts, providersUrl: string): NodeJS.ProcessEnv {
  return {
    ...base,
    APP_PORT: String(ports.appPort),
    DAPR_HOST: '127.0.0.1',
    DAPR_HTTP_PORT: String(ports.daprHTTPPort),
    DAPR_GRPC_PORT: String(ports.daprGRPCPort),
    DAPR_API_TOKEN: tokens.daprApiToken,
    APP_API_TOKEN: tokens.appApiToken,
    DATABASE_URL: connections.DATABASE_URL,
    ADMIN_API_TOKEN: connections.ADMIN_API_TOKEN,
    MANAGER_API_TOKEN: connections.MANAGER_API_TOKEN,
    TICKET_SIGNING_KEY: connections.TICKET_SIGNING_KEY,
    SENDGRID_API_KEY: base.SENDGRID_API_KEY ?? connections.SENDGRID_API_KEY,
    SENDGRID_API_HOST: base.SENDGRID_API_HOST ?? providersUrl,
    PROVIDERS_URL: base.PROVIDERS_URL ?? providersUrl,
  };
}
