/**
 * GET /signin (the form), POST /signin (rate limit, argon2id check under a concurrency cap, a new session), POST /signout
 * (ends the session row; needs the CSRF token like every state-changing request).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { hash, verify } from '@node-rs/argon2';
import type { Logger } from 'pino';
import { z } from 'zod';
import { AppError } from '@holdfast/shared';
import { describeProblem } from '../domain/problem-words';
import { signinDecision, SIGNIN_LIMIT } from '../domain/signin-limit';
import type { ConsoleUser } from '../domain/users';
import type { SessionsRepository } from '../data/sessions.repository';
import type { SigninAttemptsRepository } from '../data/signin-attempts.repository';
import { checkSigninNonce, issueSigninNonce } from './csrf';
import { clientAddress, readCookie, safeNext, wantsJson } from './request-kind';
import type { VerifyGate } from './verify-gate';
import { activeSession, clearSessionCookie, newToken, SESSION_COOKIE, sessionIdOf, setSessionCookie } from './session';

export interface AuthDeps {
  users: Map<string, ConsoleUser>;
  sessions: SessionsRepository;
  attempts: SigninAttemptsRepository;
  signinKey: Buffer;
  trustProxy: boolean;
  /** Caps the argon2 verifications running at once (ADMIN_SIGNIN_CONCURRENCY). */
  gate: VerifyGate;
  logger: Logger;
  now?: () => Date;
}

const signinForm = z.object({
  name: z.string().trim().min(1).max(100),
  password: z.string().min(1).max(1024),
  _csrf: z.string().max(200).optional(),
  next: z.string().max(2000).optional(),
});

/**
 * A typed user name as the logs may show it: a known user by name; anything else (sometimes a
 * password typed in the wrong field) only as a short keyed hash, enough to see repeats of one value.
 */
export function typedNameForLog(name: string, known: boolean, key: Buffer): { user: string } | { unknownUser: string } {
  return known ? { user: name } : { unknownUser: createHmac('sha256', key).update(name).digest('hex').slice(0, 12) };
}

export function authRoutes(deps: AuthDeps): { publicRouter: Router; sessionRouter: Router } {
  const now = deps.now ?? (() => new Date());
  // Unknown names cost the same argon2 verification as known ones: timing does not tell who exists.
  let decoy: Promise<string> | undefined;
  const decoyHash = () => (decoy ??= hash(randomBytes(16).toString('hex')));

  const showForm = (req: Request, res: Response, status: number, values: { name?: string; next?: string; sentence?: string }) => {
    const expired = req.query.expired === '1';
    res.status(status).render('signin', {
      title: 'Sign in', csrfToken: issueSigninNonce(req, res, deps.signinKey, deps.trustProxy),
      name: values.name ?? '', next: safeNext(values.next ?? req.query.next),
      sentence: values.sentence ?? (expired ? describeProblem({ code: 'SESSION_EXPIRED' }) : undefined),
    });
  };

  const refuse = (req: Request, res: Response, error: AppError, values: { name?: string; next?: string }) => {
    if (wantsJson(req)) throw error;
    showForm(req, res, error.status, { ...values, sentence: describeProblem({ code: error.code, status: error.status }) });
  };

  const publicRouter = Router();
  publicRouter.get('/signin', (req, res) => showForm(req, res, 200, {}));

  publicRouter.post('/signin', async (req, res) => {
    const form = signinForm.safeParse(req.body ?? {});
    if (!form.success) return refuse(req, res, new AppError(400, 'VALIDATION_FAILED', 'Give a user name and a password.'), {});
    const { name, password, next } = form.data;
    checkSigninNonce(req, deps.signinKey);
    const address = clientAddress(req, deps.trustProxy);
    const at = now();
    // Counted and recorded in one locked step before the password is checked: parallel attempts
    // queue behind each other, so a burst gets no more checks than the limit allows.
    const { decision, attemptId } = await deps.attempts.admit(name, address, new Date(at.getTime() - SIGNIN_LIMIT.windowMs), at, (failures) => signinDecision(failures, at));
    if (!decision.allowed) {
      res.setHeader('Retry-After', String(decision.retryAfterSeconds));
      deps.logger.warn({ ...typedNameForLog(name, deps.users.has(name), deps.signinKey), address }, 'sign-in refused: too many failures');
      return refuse(req, res, new AppError(429, 'SIGNIN_RATE_LIMITED', `Too many failed sign-ins; try again in ${decision.retryAfterSeconds} s.`, { retryAfterSeconds: decision.retryAfterSeconds }), { name, next });
    }
    const user = deps.users.get(name);
    const checked = await deps.gate.run(async () => verify(user?.hash ?? await decoyHash(), password).catch(() => false));
    if (!checked) {
      // Not checked at all: it counts against nobody.
      await deps.attempts.forget(attemptId!);
      res.setHeader('Retry-After', '1');
      deps.logger.warn({ address, running: deps.gate.running, waiting: deps.gate.waiting }, 'sign-in refused: too many being checked');
      return refuse(req, res, new AppError(503, 'SIGNIN_BUSY', 'Too many sign-ins are being checked right now; try again in a moment.'), { name, next });
    }
    if (!user || !checked.value) {
      // The attempt recorded above stays: it is this failure.
      deps.logger.info({ ...typedNameForLog(name, Boolean(user), deps.signinKey), address, known: Boolean(user) }, 'sign-in failed');
      return refuse(req, res, new AppError(401, 'SIGNIN_FAILED', 'The user name and password do not match.'), { name, next });
    }
    await deps.attempts.forget(attemptId!);
    // A sign-in over a session this browser still holds ends that one: one cookie, one live session.
    const previous = readCookie(req, SESSION_COOKIE);
    if (previous) await deps.sessions.end(sessionIdOf(previous), at);
    const token = newToken();
    const sessionId = sessionIdOf(token);
    await deps.sessions.open({ id: sessionId, userName: user.name, roles: user.roles, csrfToken: newToken(), address });
    setSessionCookie(req, res, token, deps.trustProxy);
    deps.logger.info({ user: user.name, roles: user.roles, sessionId }, 'signed in');
    if (wantsJson(req)) return res.json({ user: { name: user.name, roles: user.roles } });
    res.redirect(303, safeNext(next));
  });

  // Mounted after requireSession and requireCsrf.
  const sessionRouter = Router();
  sessionRouter.post('/signout', async (req, res) => {
    const session = activeSession(req)!;
    await deps.sessions.end(session.sessionId, now());
    clearSessionCookie(req, res, deps.trustProxy);
    deps.logger.info({ user: session.name, sessionId: session.sessionId }, 'signed out');
    if (wantsJson(req)) return res.status(204).end();
    res.redirect(303, '/signin');
  });
  return { publicRouter, sessionRouter };
}
