/** Who may do what: a user holds roles; a page or route names the roles that may use it (any one suffices). */
import type { Role } from './users';

export function hasAnyRole(held: readonly Role[], allowed: readonly Role[]): boolean {
  return allowed.some((role) => held.includes(role));
}

/** The navigation a user sees: only the sections one of their roles opens. */
export function visibleTo<T extends { roles: readonly Role[] }>(sections: readonly T[], held: readonly Role[]): T[] {
  return sections.filter((section) => hasAnyRole(held, section.roles));
}

/** The roles a session keeps: those it was opened with that the user still holds (a role taken away ends at the next request). */
export function currentRoles(sessionRoles: readonly string[], configured: readonly Role[]): Role[] {
  return configured.filter((role) => sessionRoles.includes(role));
}

export const ROLE_WORDS: Record<Role, string> = {
  admin: 'shows, deliveries, refunds, webhooks and the timeline',
  manager: 'order approvals, order search and the timeline',
};
