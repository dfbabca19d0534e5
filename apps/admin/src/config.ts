/** The admin console's settings, validated at start-up (a bad value stops it with every problem named). */
import { z } from 'zod';
import { daprAppEnv, envFlag, loadConfig } from '@holdfast/shared';
import { parseUsers, type ConsoleUser } from './domain/users';

export const adminEnv = {
  ...daprAppEnv(3005),
  /** The other apps' admin and manager credentials: only the console's server holds them, never a browser. */
  ADMIN_API_TOKEN: z.string().min(16),
  MANAGER_API_TOKEN: z.string().min(16),
  /** `name:role[+role]:<argon2id hash>` entries separated by `;` (node scripts/admin-user-hash.mjs makes one). */
  ADMIN_CONSOLE_USERS: z.string({ message: 'ADMIN_CONSOLE_USERS is required: name:role[+role]:<argon2id hash>;... (scripts/infra.sh makes the first one)' }).min(1),
  /** A session unused this long is over (fractions allowed, for tests). */
  ADMIN_SESSION_IDLE_MINUTES: z.coerce.number().positive().max(24 * 60).default(30),
  /** A session ends this long after sign-in, however active (polling never counts as activity). */
  ADMIN_SESSION_MAX_HOURS: z.coerce.number().positive().max(24 * 30).default(12),
  /** How many argon2 password checks may run at once in this process (each ~19 MiB and a core's tens of ms); a few more wait, beyond that 503. */
  ADMIN_SIGNIN_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /** Behind a TLS-terminating proxy: X-Forwarded-Proto https marks cookies Secure, X-Forwarded-For names the client. */
  ADMIN_TRUST_PROXY: envFlag(false),
  /** How long a call to another app may take, the sidecar's retries included. */
  ADMIN_APPS_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /**
   * Key of the sign-in form's signed cookie; every replica needs the same. Unset: derived from
   * ADMIN_API_TOKEN, which every replica already shares.
   */
  ADMIN_COOKIE_SECRET: z.string().min(32).optional(),
};

export type AdminConfig = z.infer<z.ZodObject<typeof adminEnv>> & { users: Map<string, ConsoleUser> };

export function loadAdminConfig(env: NodeJS.ProcessEnv = process.env): AdminConfig {
  const config = loadConfig(adminEnv, env);
  return { ...config, users: parseUsers(config.ADMIN_CONSOLE_USERS) };
}
