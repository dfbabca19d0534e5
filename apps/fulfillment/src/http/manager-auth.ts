/**
 * Managers by name: each bearer token a manager holds names who they are, so an approval, a
 * rejection or a cancel records the authenticated manager rather than whatever a body says.
 * MANAGER_API_TOKEN keeps working and names its holder MANAGER_API_TOKEN_NAME ("manager"); MANAGERS
 * adds one token per person (`name=token,name=token`, a secret like MANAGER_API_TOKEN).
 */
import type { Request, RequestHandler, Response } from 'express';
import { AppError, constantTimeEquals } from '@holdfast/shared';

export interface ManagerCredential {
  name: string;
  token: string;
  /** A personal token (MANAGERS) names one person; the shared MANAGER_API_TOKEN may be held by several. */
  personal: boolean;
}

const MIN_TOKEN_LENGTH = 16;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,99}$/;

/**
 * MANAGERS parsed: comma-separated `name=token` (a name is letters, digits and _ . @ + -, e.g. an
 * email address; a token is at least 16 characters and may itself hold `=`). Throws, naming the
 * problem but never a token, when an entry is malformed or a name or token repeats.
 */
export function parseManagers(text: string | undefined): ManagerCredential[] {
  const entries = (text ?? '').split(',').map((e) => e.trim()).filter(Boolean);
  const managers = entries.map((entry, index) => {
    const at = entry.indexOf('=');
    const name = at > 0 ? entry.slice(0, at).trim() : '';
    const token = at > 0 ? entry.slice(at + 1).trim() : '';
    if (!NAME.test(name)) throw new Error(`MANAGERS entry ${index + 1}: a name (letters, digits, _ . @ + -) then = then the token`);
    if (token.length < MIN_TOKEN_LENGTH) throw new Error(`MANAGERS entry ${index + 1} (${name}): the token must be at least ${MIN_TOKEN_LENGTH} characters`);
    return { name, token, personal: true };
  });
  if (new Set(managers.map((m) => m.name)).size !== managers.length) throw new Error('MANAGERS: a name appears twice');
  if (new Set(managers.map((m) => m.token)).size !== managers.length) throw new Error('MANAGERS: two managers share a token');
  return managers;
}

/** Every credential that authenticates a manager: the shared token under its name, then the personal ones. */
export function managerCredentials(sharedToken: string, sharedName: string, managers: ManagerCredential[]): ManagerCredential[] {
  if (managers.some((m) => m.token === sharedToken)) throw new Error('MANAGERS: a personal token equals MANAGER_API_TOKEN');
  if (managers.some((m) => m.name === sharedName)) throw new Error(`MANAGERS: the name ${sharedName} is MANAGER_API_TOKEN_NAME's`);
  return [{ name: sharedName, token: sharedToken, personal: false }, ...managers];
}

/** The credential a bearer token matches, comparing with every one in constant time (no early exit). */
export function managerOf(credentials: readonly ManagerCredential[], authorization: string | undefined): ManagerCredential | undefined {
  const header = authorization ?? '';
  const token = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
  if (!token) return undefined;
  let found: ManagerCredential | undefined;
  for (const credential of credentials) if (constantTimeEquals(token, credential.token) && !found) found = credential;
  return found;
}

/** The manager a request authenticated as (set by requireManager). */
export const authenticatedManager = (res: Response): ManagerCredential => res.locals.manager as ManagerCredential;

/** Whether the request carries an Authorization header at all (then it must be a manager's). */
export const claimsManager = (req: Request) => req.header('authorization') !== undefined;

export function requireManager(credentials: readonly ManagerCredential[], detail: string): RequestHandler {
  return (req, res, next) => {
    const manager = managerOf(credentials, req.header('authorization'));
    if (!manager) return next(new AppError(401, 'MANAGER_AUTH_REQUIRED', detail));
    res.locals.manager = manager;
    next();
  };
}

/**
 * Who approved: the body's `approvedBy` when it names one, else the authenticated manager. A personal
 * token approves only as its holder (a different name is a 403 APPROVER_MISMATCH); the shared token
 * may name the person who holds it this time, and the credential is recorded beside the name.
 */
export function approverOf(manager: ManagerCredential, named: string | undefined): string {
  if (named === undefined || named === manager.name) return manager.name;
  if (manager.personal) throw new AppError(403, 'APPROVER_MISMATCH', `This token is ${manager.name}'s: it cannot approve as ${named}.`);
  return named;
}
