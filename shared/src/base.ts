/**
 * The part of the shared code an app needs to serve HTTP without Dapr or PostgreSQL: config,
 * logging and correlation, problems, the express bootstrap and its metrics, service lifecycle, the
 * invocation guard, admin auth, the HTTP client, the OpenAPI helpers. The providers stand-in imports this, not the
 * barrel (index.ts), which also loads Prisma's client, the Dapr SDK and the ticket renderer: about
 * 70 MiB of an idle process that uses none of them (138 -> 64 MiB RSS loading the barrel against express alone).
 */
export * from './config';
export * from './correlation';
export * from './logger';
export * from './problem';
export * from './http-app';
export * from './metrics';
export * from './service';
export * from './health';
export * from './invocation-guard';
export * from './admin-auth';
export * from './http-client';
export * from './canonical-json';
export * from './email-address';
export * from './transpiler';
export * from './openapi';
