/** Admin (and manager) endpoints take `Authorization: Bearer <token>`; anything else is a 401 problem. */
import type { RequestHandler } from 'express';
import { constantTimeEquals } from './http-app';
import { AppError } from './problem';

export function requireAdmin(adminToken: string, code = 'ADMIN_AUTH_REQUIRED', detail = 'This endpoint needs an admin bearer token.'): RequestHandler {
  return (req, _res, next) => {
    const header = req.header('authorization') ?? '';
    const token = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
    if (token && constantTimeEquals(token, adminToken)) return next();
    next(new AppError(401, code, detail));
  };
}
