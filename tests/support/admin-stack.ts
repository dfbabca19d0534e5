/**
 * The admin console against the real platform, for the browser tests: booking, fulfillment and
 * delivery each beside its sidecar (providers, placement, scheduler and the gateway come from
 * global-setup), and the console beside its own sidecar, with three test users whose passwords
 * are made here and hashed (argon2id) at start: alan (admin), grace (manager), ada (admin+manager).
 */
import { randomBytes } from 'node:crypto';
import { hash } from '@node-rs/argon2';
import { startAppStack, startBookingStack, startDeliveryStack, startFulfillmentStack, type AppStack } from './app-stack';
import type { TestRun } from './test-env';

/** The console's test ports (docs/ports.md): app 4050, sidecar HTTP 4950, gRPC 4951, metrics 4952, internal gRPC 4953. */
export const ADMIN_TEST_PORTS = { app: 4050, daprHttp: 4950, daprGrpc: 4951, metrics: 4952 };

export type ConsoleRole = 'admin' | 'manager';
export interface ConsoleUser { name: string; password: string; roles: ConsoleRole[] }
export type BackendApp = 'booking' | 'fulfillment' | 'delivery';

export interface AdminStack {
  /** The console's base URL, e.g. http://127.0.0.1:4050 (browsers reach it directly). */
  url: string;
  users: { alan: ConsoleUser; grace: ConsoleUser; ada: ConsoleUser };
  adminApiToken: string;
  managerApiToken: string;
  run: TestRun;
  console: AppStack;
  /** The apps started beside it (each with its sidecar), by app id. */
  apps: Partial<Record<BackendApp, AppStack>>;
  stop(): Promise<void>;
}

export interface AdminStackOptions {
  /** Extra env for the console (e.g. ADMIN_SESSION_IDLE_MINUTES). */
  env?: Record<string, string>;
  /** Extra env per backend app. */
  appEnv?: Partial<Record<BackendApp, Record<string, string>>>;
  /** Which backend apps to start (default all three; a test of the console alone passes []). */
  apps?: BackendApp[];
  logName?: string;
}

const password = () => `pw-${randomBytes(12).toString('base64url')}`;

export async function startAdminStack(options: AdminStackOptions = {}): Promise<AdminStack> {
  const users = {
    alan: { name: 'alan', password: password(), roles: ['admin'] as ConsoleRole[] },
    grace: { name: 'grace', password: password(), roles: ['manager'] as ConsoleRole[] },
    ada: { name: 'ada', password: password(), roles: ['admin', 'manager'] as ConsoleRole[] },
  };
  const entries = await Promise.all(Object.values(users).map(async (u) => `${u.name}:${u.roles.join('+')}:${await hash(u.password)}`));
  const wanted = options.apps ?? ['booking', 'fulfillment', 'delivery'];
  const apps: Partial<Record<BackendApp, AppStack>> = {};
  const prefix = options.logName ?? 'admin-stack';
  const started: AppStack[] = [];
  try {
    // One after another: two cores, and each app's start compiles TypeScript.
    if (wanted.includes('booking')) started.push(apps.booking = await startBookingStack({ logName: `${prefix}-booking`, env: options.appEnv?.booking }));
    if (wanted.includes('fulfillment')) started.push(apps.fulfillment = await startFulfillmentStack({ logName: `${prefix}-fulfillment`, env: options.appEnv?.fulfillment }));
    if (wanted.includes('delivery')) started.push(apps.delivery = await startDeliveryStack({ logName: `${prefix}-delivery`, env: options.appEnv?.delivery }));
    const consoleStack = await startAppStack({
      appId: 'admin', entry: 'apps/admin/src/main.ts', logName: `${prefix}-admin`, ports: ADMIN_TEST_PORTS,
      // booking's refund threshold, so the cancel dialog states booking's own (booking serves it only after a cancel).
      env: { ADMIN_CONSOLE_USERS: entries.join(';'), ...(options.appEnv?.booking?.SHOW_CANCEL_REFUND_THRESHOLD ? { SHOW_CANCEL_REFUND_THRESHOLD: options.appEnv.booking.SHOW_CANCEL_REFUND_THRESHOLD } : {}), ...options.env },
    });
    started.push(consoleStack);
    return {
      url: consoleStack.appUrl, users, adminApiToken: consoleStack.run.adminApiToken, managerApiToken: consoleStack.run.managerApiToken,
      run: consoleStack.run, console: consoleStack, apps,
      stop: async () => {
        for (const stack of started.reverse()) await stack.stop();
      },
    };
  } catch (error) {
    for (const stack of started.reverse()) await stack.stop().catch(() => undefined);
    throw error;
  }
}
