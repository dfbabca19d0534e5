/** Admin endpoints take `Authorization: Bearer <ADMIN_API_TOKEN>`; anything else is a 401 problem. */
import type { RequestHandler } from 'express';
import { constantTimeEquals } from './http-app';
import { AppError } from './problem';

export function requireAdmin(adminToken: string): RequestHandler {
  return (req, _res, next) => {
    const header = req.header('authorization') ?? '';
    const token = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
    if (token && constantTimeEquals(token, adminToken)) return next();
    next(new AppError(401, 'ADMIN_AUTH_REQUIRED', 'This endpoint needs an admin bearer token.'));
  };
}
