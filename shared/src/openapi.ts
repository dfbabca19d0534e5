/**
 * Building blocks of the apps' OpenAPI 3.1 documents (each app's src/http/openapi.ts): request
 * schemas come from the very zod schemas the routes parse with, so the document cannot drift from
 * what is validated; errors are RFC 9457 problems. routesOf() lists an express app's routes, for
 * the unit tests that hold each document to its app (every route documented, nothing more).
 */
import type { Express } from 'express';
import { z } from 'zod';

type Json = Record<string, unknown>;

/** A zod schema as JSON Schema (draft 2020-12, what OpenAPI 3.1 speaks), as a request (`input`) or a response (`output`). */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output' = 'input'): Json {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json;
  return rest;
}

export const PROBLEM_SCHEMA = {
  type: 'object',
  required: ['type', 'title', 'status', 'code'],
  properties: {
    type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' }, code: { type: 'string' },
    detail: { type: 'string' }, instance: { type: 'string' }, correlationId: { type: 'string' },
  },
};

/** What a Dapr sidecar answers itself (a NUL in the path, a verb it cannot carry, a body over its limit). */
export const SIDECAR_ERROR_SCHEMA = {
  type: 'object',
  properties: { errorCode: { type: 'string' }, message: { type: 'string' } },
};

export const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

/** A problem from the app, or the same status from the sidecar in front of it (Dapr's JSON error). */
export const problemOrSidecarResponse = (description: string) => ({
  description,
  content: {
    'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
    'application/json': { schema: { $ref: '#/components/schemas/SidecarError' } },
  },
});

export const jsonBody = (schema: z.ZodType | Json, required = true) => ({
  required,
  content: { 'application/json': { schema: schema instanceof z.ZodType ? jsonSchemaOf(schema) : schema } },
});

export const jsonResponse = (description: string, schema: Json) => ({ description, content: { 'application/json': { schema } } });

/** A path parameter validated by `schema` (a zod schema: the route's own, so its format and pattern are the route's). */
export const pathParam = (name: string, schema: z.ZodType | Json, description?: string) => ({
  name, in: 'path', required: true, schema: schema instanceof z.ZodType ? jsonSchemaOf(schema) : schema, ...(description ? { description } : {}),
});

export const queryParams = (schema: z.ZodObject) => {
  const json = jsonSchemaOf(schema) as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({ name, in: 'query', required: (json.required ?? []).includes(name), schema: property }));
};

// JSON Schema shorthands for response bodies.
export const str = { type: 'string' } as const;
export const int = { type: 'integer' } as const;
export const num = { type: 'number' } as const;
export const bool = { type: 'boolean' } as const;
export const dateTime = { type: 'string', format: 'date-time' } as const;
export const nullable = (schema: Json) => ({ anyOf: [schema, { type: 'null' }] });
export const arrayOf = (items: Json) => ({ type: 'array', items });
/** An object with these properties, all present in the answer (`optional` names those that may be left out). */
export const object = (properties: Record<string, Json>, optional: string[] = []) => ({
  type: 'object', required: Object.keys(properties).filter((k) => !optional.includes(k)), properties,
});

/**
 * The probes every app serves (createHttpApp). A document of an app reached through its sidecar
 * (`throughSidecar`) lists only /healthz and /readyz: /metrics is scraped on the app port and is
 * not invocable (the invocation guard answers 404), so it is no part of the client's API.
 */
export function probePaths(throughSidecar: boolean) {
  const metrics = {
    '/metrics': {
      get: { summary: 'Prometheus metrics', tags: ['probes'], responses: { 200: { description: 'Prometheus text exposition', content: { 'text/plain': { schema: str } } } } },
    },
  };
  return {
    '/healthz': { get: { summary: 'Liveness', tags: ['probes'], responses: { 200: jsonResponse('alive', object({ status: { const: 'ok' }, app: str })) } } },
    '/readyz': {
      get: {
        summary: 'Readiness: every dependency answers', tags: ['probes'],
        responses: {
          200: jsonResponse('ready', { $ref: '#/components/schemas/Readiness' }),
          503: jsonResponse('a dependency does not answer', { $ref: '#/components/schemas/Readiness' }),
        },
      },
    },
    '/health': {
      get: {
        summary: 'Health of the app and what it depends on (seed 004): 200 healthy or degraded, 503 unhealthy; open, like the other probes (docs/health.md)', tags: ['probes'],
        responses: {
          200: jsonResponse('healthy, or degraded (a dependency the app absorbs is down)', HEALTH_SCHEMA),
          503: jsonResponse('unhealthy: a dependency the app cannot serve without is down', HEALTH_SCHEMA),
        },
      },
    },
    ...(throughSidecar ? {} : metrics),
  };
}

const HEALTH_STATUS = { type: 'string', enum: ['healthy', 'degraded', 'unhealthy'] };
/** GET /health's answer (shared/src/health.ts). */
const HEALTH_SCHEMA = object({
  status: HEALTH_STATUS,
  checks: { type: 'object', additionalProperties: object({ status: HEALTH_STATUS, latencyMs: num, detail: str }, ['latencyMs', 'detail']) },
  timestamp: dateTime,
});

export interface DocumentOptions {
  title: string;
  description: string;
  paths: Record<string, Record<string, Json>>;
  securitySchemes?: Record<string, Json>;
  schemas?: Record<string, Json>;
}

export function openApiDocumentOf(options: DocumentOptions) {
  return {
    openapi: '3.1.0',
    info: { title: options.title, version: '1', description: options.description },
    components: {
      securitySchemes: options.securitySchemes ?? {},
      schemas: {
        Problem: PROBLEM_SCHEMA,
        SidecarError: SIDECAR_ERROR_SCHEMA,
        Readiness: object({ status: { enum: ['ready', 'not-ready'] }, app: str, checks: arrayOf(object({ name: str, ok: bool })) }),
        ...options.schemas,
      },
    },
    paths: options.paths,
  };
}

/** The bearer scheme of admin (ADMIN_API_TOKEN) or manager (MANAGER_API_TOKEN) routes. */
export const bearerScheme = (token: string) => ({ type: 'http', scheme: 'bearer', description: token });

// --- what an express app serves, for the tests -------------------------------------------------

interface LayerLike {
  route?: { path: unknown; methods: Record<string, boolean> };
  handle?: { stack?: LayerLike[] };
  match(path: string): false | { path: string };
}

/** `/a/:id/b/:seat.png` as OpenAPI writes it: `/a/{id}/b/{seat}.png`. */
export const toOpenApiPath = (expressPath: string) => expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/**
 * Every route of `app` as `METHOD /openapi/path` (upper-case methods, HEAD left out: express
 * answers it for every GET). A router mounted under a prefix (app.use('/admin', r)) is found by
 * trying the prefixes of `knownPaths` (the document's paths): one that matches none is reported as
 * `* <unknown prefix>`, so an undocumented mount cannot pass unseen.
 */
export function routesOf(app: Express, knownPaths: string[]): string[] {
  const prefixes = [...new Set(knownPaths.flatMap((p) => p.split('/').slice(1).map((_, i, parts) => `/${parts.slice(0, i + 1).join('/')}`)))];
  const found: string[] = [];
  const walk = (stack: LayerLike[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const path = toOpenApiPath(`${prefix}${String(layer.route.path)}`);
        for (const method of Object.keys(layer.route.methods).filter((m) => layer.route!.methods[m])) found.push(`${method === '_all' ? '*' : method.toUpperCase()} ${path}`);
      } else if (Array.isArray(layer.handle?.stack)) {
        let mount = '';
        if (!layer.match('/\u0001unmounted')) {
          mount = prefixes.find((p) => { const m = layer.match(`${p}/\u0001`); return m && m.path === p; }) ?? '<unknown prefix>';
        }
        walk(layer.handle.stack, `${prefix}${mount}`);
      }
    }
  };
  walk(((app as unknown as { router?: { stack?: LayerLike[] } }).router?.stack) ?? [], '');
  return found.filter((r) => !r.startsWith('HEAD ')).sort();
}

/** Every operation of a document as `METHOD /path`. */
export function operationsOf(doc: { paths: Record<string, Record<string, unknown>> }): string[] {
  const methods = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];
  return Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).filter((m) => methods.includes(m)).map((m) => `${m.toUpperCase()} ${path}`)).sort();
}
