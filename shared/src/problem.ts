import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { ZodError } from 'zod';
import type { Logger } from 'pino';
import { currentCorrelationId } from './correlation';

/**
 * An RFC 9457 problem: `code` is the stable, machine-readable identifier clients switch on;
 * `title` and `detail` are for humans and may change.
 */
export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  instance?: string;
  correlationId?: string;
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Throw from a handler to answer with a problem; anything else thrown becomes a 500. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

const TITLES: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 402: 'Payment Required', 403: 'Forbidden', 404: 'Not Found',
  405: 'Method Not Allowed', 409: 'Conflict', 410: 'Gone', 413: 'Payload Too Large',
  415: 'Unsupported Media Type', 422: 'Unprocessable Content', 429: 'Too Many Requests',
  500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};

export function problem(status: number, code: string, detail?: string, extensions: Record<string, unknown> = {}): Problem {
  // Extensions never override the standard members: a stray `status` must not become the HTTP status.
  return {
    ...extensions,
    type: `https://holdfast.dev/problems/${code.toLowerCase().replace(/_/g, '-')}`,
    title: TITLES[status] ?? 'Error',
    status,
    code,
    ...(detail ? { detail } : {}),
    ...(currentCorrelationId() ? { correlationId: currentCorrelationId() } : {}),
  };
}

/** Maps any thrown value to a problem; unknown errors never leak their message to the client. */
export function toProblem(error: unknown): Problem {
  if (error instanceof AppError) return problem(error.status, error.code, error.message, error.extensions);
  if (error instanceof ZodError) {
    return problem(400, 'VALIDATION_FAILED', 'The request does not match the expected schema.', {
      errors: error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message, code: issue.code })),
    });
  }
  const httpError = error as { type?: string; status?: number; statusCode?: number };
  // body-parser's errors: malformed JSON, body too large, unsupported charset.
  if (httpError?.type === 'entity.parse.failed') return problem(400, 'MALFORMED_JSON', 'The request body is not valid JSON.');
  if (httpError?.type === 'entity.too.large') return problem(413, 'PAYLOAD_TOO_LARGE', 'The request body is too large.');
  const status = httpError?.status ?? httpError?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return problem(status, 'BAD_REQUEST');
  return problem(500, 'INTERNAL_ERROR', 'An unexpected error occurred.');
}

/** Answers with `body` as application/problem+json, naming the request as its instance. */
export function sendProblem(req: Request, res: Response, body: Problem): void {
  res.status(body.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify({ ...body, instance: req.originalUrl }));
}

export function problemErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const body = toProblem(error);
    if (body.status >= 500) logger.error({ err: error, path: req.path }, 'request failed');
    else logger.info({ code: body.code, path: req.path }, 'request rejected');
    sendProblem(req, res, body);
  };
}

export const notFoundHandler: RequestHandler = (req, res) => {
  sendProblem(req, res, problem(404, 'ROUTE_NOT_FOUND', `No route for ${req.method} ${req.path}.`));
};
