/**
 * The console's JSON API as OpenAPI 3.1, served at GET /openapi.json. A registry: the core adds
 * its own paths, each section adds its JSON routes with `ctx.openapi.add(path, method, operation)`
 * when it registers, so the document lists what is mounted.
 */
import { PROBLEM_SCHEMA, problemResponse } from '@holdfast/shared';

type Operation = Record<string, unknown>;
export type HttpMethod = 'get' | 'post' | 'put' | 'delete';

export interface OpenApiRegistry {
  /** Documents one operation; `path` in OpenAPI form (`/api/admin/timeline/bookings/{id}`). */
  add(path: string, method: HttpMethod, operation: Operation): void;
  document(): Record<string, unknown>;
}

/** The errors every console JSON route can answer besides its own. */
export const sessionErrors = {
  401: problemResponse('SIGNIN_REQUIRED (no session) or SESSION_EXPIRED (idle too long)'),
  403: problemResponse('ROLE_REQUIRED (the session lacks the role) or CSRF_TOKEN_INVALID (state-changing request without X-CSRF-Token)'),
};

export function createOpenApiRegistry(): OpenApiRegistry {
  const paths: Record<string, Record<string, Operation>> = {};
  return {
    add(path, method, operation) {
      paths[path] = { ...paths[path], [method]: { security: [{ session: [] }], ...operation, responses: { ...sessionErrors, ...(operation.responses as Operation | undefined) } } };
    },
    document() {
      return {
        openapi: '3.1.0',
        info: {
          title: 'Holdfast admin console API',
          version: '1',
          description: 'The JSON routes of the admin console (apps/admin). A browser session is required: sign in at /signin; '
            + 'the cookie holdfast_admin carries it. State-changing requests also need X-CSRF-Token (the page\'s <meta name="csrf-token">). Errors are RFC 9457 problems with a `code`.',
        },
        components: {
          securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'holdfast_admin' } },
          schemas: { Problem: PROBLEM_SCHEMA },
        },
        paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
      };
    },
  };
}
