/**
 * CSRF: a synchronizer token per session (admin_sessions.csrf_token), required on every
 * POST/PUT/PATCH/DELETE in the form field `_csrf` or the header `X-CSRF-Token`. Before a session
 * exists, the sign-in form carries a nonce whose MAC sits in a cookie, so a forged sign-in (login
 * CSRF) fails too. SameSite=Strict already keeps cross-site requests cookieless; this is the second lock.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { AppError } from '@holdfast/shared';
import { signNonce, tokensEqual, verifiedNonce } from '../domain/csrf';
import { activeSession } from './session';
import { overTls, readCookie } from './request-kind';

export const SIGNIN_COOKIE = 'holdfast_signin';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const invalid = () => new AppError(403, 'CSRF_TOKEN_INVALID', 'The request lacks this session\'s CSRF token (form field _csrf or header X-CSRF-Token).');

function tokenOf(req: Request): unknown {
  const body = req.body as Record<string, unknown> | undefined;
  return req.get('x-csrf-token') ?? (body && typeof body === 'object' ? body._csrf : undefined);
}

/** After requireSession: state-changing requests must carry the session's token. */
export function requireCsrf(): RequestHandler {
  return (req, _res, next) => {
    if (!UNSAFE.has(req.method)) return next();
    const session = activeSession(req);
    if (session && tokensEqual(tokenOf(req), session.csrfToken)) return next();
    next(invalid());
  };
}

/** The key of the sign-in form's cookie: given, or derived from a credential every replica shares. */
export function signinKey(secret: string | undefined, adminApiToken: string): Buffer {
  return secret ? Buffer.from(secret) : createHmac('sha256', adminApiToken).update('holdfast-admin-signin-form').digest();
}

/** A fresh nonce for the sign-in form, its signed copy in a short-lived cookie. */
export function issueSigninNonce(req: Request, res: Response, key: Buffer, trustProxy: boolean): string {
  const nonce = randomBytes(24).toString('base64url');
  res.cookie(SIGNIN_COOKIE, signNonce(key, nonce), { httpOnly: true, sameSite: 'strict', path: '/signin', secure: overTls(req, trustProxy), maxAge: 3_600_000 });
  return nonce;
}

export function checkSigninNonce(req: Request, key: Buffer): void {
  const nonce = verifiedNonce(key, readCookie(req, SIGNIN_COOKIE));
  if (!nonce || !tokensEqual(tokenOf(req), nonce)) throw invalid();
}
