/**
 * Sessions: the cookie `holdfast_admin` holds a random 32-byte token; admin_sessions keeps its
 * sha256 as the row id, so a stolen database copy opens no session. Every request after sign-in
 * goes through `requireSession`; routes add `requireRole(...)`.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { AppError } from '@holdfast/shared';
import { currentRoles, hasAnyRole } from '../domain/permissions';
import { sessionState, shouldTouch } from '../domain/session-policy';
import type { ConsoleUser } from '../domain/users';
import type { SessionsRepository } from '../data/sessions.repository';
import type { Role, SignedInUser } from './section';
import { overTls, readCookie, requestOrigin, wantsJson } from './request-kind';

export const SESSION_COOKIE = 'holdfast_admin';

export interface ActiveSession extends SignedInUser {
  csrfToken: string;
}

const sessions = new WeakMap<Request, ActiveSession>();

/** The signed-in user of a request that passed requireSession (sections call it to act on the user's behalf). */
export function signedInUser(req: Request): SignedInUser {
  const session = sessions.get(req);
  if (!session) throw new AppError(401, 'SIGNIN_REQUIRED', 'Sign in first.');
  return { name: session.name, roles: session.roles, sessionId: session.sessionId };
}

export function activeSession(req: Request): ActiveSession | undefined {
  return sessions.get(req);
}

export const sessionIdOf = (token: string) => createHash('sha256').update(token).digest('hex');
export const newToken = () => randomBytes(32).toString('base64url');

export function setSessionCookie(req: Request, res: Response, token: string, trustProxy: boolean): void {
  res.cookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'strict', path: '/', secure: overTls(req, trustProxy) });
}

export function clearSessionCookie(req: Request, res: Response, trustProxy: boolean): void {
  res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', path: '/', secure: overTls(req, trustProxy) });
}

export interface SessionDeps {
  sessions: SessionsRepository;
  users: Map<string, ConsoleUser>;
  idleMinutes: number;
  /** Absolute lifetime from sign-in (ADMIN_SESSION_MAX_HOURS), however active the session. */
  maxHours: number;
  now?: () => Date;
}

/** Out: JSON gets its 401 problem; a page goes to the sign-in form (and back here afterwards). */
function signedOut(req: Request, res: Response, next: NextFunction, code: 'SIGNIN_REQUIRED' | 'SESSION_EXPIRED') {
  if (wantsJson(req) || req.method !== 'GET') {
    return next(new AppError(401, code, code === 'SESSION_EXPIRED' ? 'The session expired (idle too long, or open longer than its lifetime); sign in again.' : 'Sign in first.'));
  }
  const query = new URLSearchParams({ ...(code === 'SESSION_EXPIRED' ? { expired: '1' } : {}), ...(req.originalUrl !== '/' ? { next: req.originalUrl } : {}) }).toString();
  res.redirect(303, `/signin${query ? `?${query}` : ''}`);
}

export function requireSession(deps: SessionDeps): RequestHandler {
  const now = deps.now ?? (() => new Date());
  return async (req, res, next) => {
    try {
      const token = readCookie(req, SESSION_COOKIE);
      if (!token) return signedOut(req, res, next, 'SIGNIN_REQUIRED');
      const row = await deps.sessions.find(sessionIdOf(token));
      if (!row) return signedOut(req, res, next, 'SIGNIN_REQUIRED');
      const at = now();
      const state = sessionState(row, at, deps.idleMinutes, deps.maxHours);
      if (state === 'ended') return signedOut(req, res, next, 'SIGNIN_REQUIRED');
      if (state === 'expired') {
        await deps.sessions.end(row.id, at);
        return signedOut(req, res, next, 'SESSION_EXPIRED');
      }
      // A user removed from ADMIN_CONSOLE_USERS, or left with none of the session's roles, is out at once.
      const user = deps.users.get(row.userName);
      const roles = user ? currentRoles(row.roles, user.roles) : [];
      if (roles.length === 0) {
        await deps.sessions.end(row.id, at);
        return signedOut(req, res, next, 'SIGNIN_REQUIRED');
      }
      // A page's own polling (X-Holdfast-Poll: 1) is not a person's activity: it never extends the session.
      if (shouldTouch(row.lastSeenAt, at, deps.idleMinutes, requestOrigin(req))) await deps.sessions.touch(row.id, at);
      const session: ActiveSession = { name: row.userName, roles, sessionId: row.id, csrfToken: row.csrfToken };
      sessions.set(req, session);
      res.locals.user = { name: session.name, roles: session.roles };
      res.locals.csrfToken = session.csrfToken;
      next();
    } catch (error) {
      next(error);
    }
  };
}

/** 403 ROLE_REQUIRED unless the session holds one of `roles` (pages get the sentence page, JSON the problem). */
export function requireRole(...roles: Role[]): RequestHandler {
  return (req, _res, next) => {
    const session = sessions.get(req);
    if (!session) return next(new AppError(401, 'SIGNIN_REQUIRED', 'Sign in first.'));
    if (hasAnyRole(session.roles, roles)) return next();
    next(new AppError(403, 'ROLE_REQUIRED', `This needs the ${roles.join(' or ')} role.`, { requiredRoles: roles }));
  };
}
