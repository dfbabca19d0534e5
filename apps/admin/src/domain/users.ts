/**
 * The console's users, from ADMIN_CONSOLE_USERS: `name:role[+role]:<argon2id PHC hash>` entries
 * separated by `;`. A PHC hash holds `$` and `,` but never `;` or `:` after its first field, so the
 * hash is everything after the second colon. Parsing is strict: a bad entry stops the start-up.
 */
import { z } from 'zod';
import { isActorName } from '@holdfast/shared';
/** The same union as http/section.ts's Role, kept here so the domain imports nothing of the HTTP layer. */
export type Role = 'admin' | 'manager';

export const ROLES: readonly Role[] = ['admin', 'manager'];

export interface ConsoleUser {
  name: string;
  roles: Role[];
  /** argon2id PHC string, e.g. `$argon2id$v=19$m=19456,t=2,p=1$salt$hash`. */
  hash: string;
}

/**
 * The name the apps record as who acted (X-Holdfast-Actor): the console sends it on every call, so
 * a name the apps would refuse (a leading dot, a dash...) must stop the start-up, not every action.
 */
const name = z.string().refine(isActorName, "a user name the apps accept as X-Holdfast-Actor: 1-100 ASCII letters, digits, inner spaces and _ . @ + ' -, starting with a letter or digit");
const roles = z.string().transform((raw, ctx) => {
  const list = raw.split('+').map((r) => r.trim()).filter(Boolean);
  const bad = list.filter((r) => !ROLES.includes(r as Role));
  if (list.length === 0 || bad.length > 0) {
    ctx.addIssue({ code: 'custom', message: `roles must be admin and/or manager joined by +, got "${raw}"` });
    return z.NEVER;
  }
  return [...new Set(list)] as Role[];
});
const hash = z.string().regex(/^\$argon2id\$v=\d+\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/, 'an argon2id PHC hash (node scripts/admin-user-hash.mjs makes one)');

/** Parses the whole list; throws one Error naming every bad entry (by position, never echoing a hash). */
export function parseUsers(raw: string): Map<string, ConsoleUser> {
  const users = new Map<string, ConsoleUser>();
  const problems: string[] = [];
  raw.split(';').map((e) => e.trim()).filter(Boolean).forEach((entry, index) => {
    const first = entry.indexOf(':');
    const second = first < 0 ? -1 : entry.indexOf(':', first + 1);
    if (first < 0 || second < 0) {
      problems.push(`entry ${index + 1}: expected name:role[+role]:hash`);
      return;
    }
    const parsed = z.object({ name, roles, hash }).safeParse({ name: entry.slice(0, first), roles: entry.slice(first + 1, second), hash: entry.slice(second + 1) });
    if (!parsed.success) {
      problems.push(`entry ${index + 1}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      return;
    }
    if (users.has(parsed.data.name)) problems.push(`entry ${index + 1}: user ${parsed.data.name} appears twice`);
    users.set(parsed.data.name, parsed.data);
  });
  if (problems.length > 0) throw new Error(`ADMIN_CONSOLE_USERS is not valid:\n  - ${problems.join('\n  - ')}`);
  if (users.size === 0) throw new Error('ADMIN_CONSOLE_USERS names no user: give at least one name:role[+role]:hash');
  return users;
}
