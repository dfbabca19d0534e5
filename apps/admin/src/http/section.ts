/**
 * The contract between the admin console's core (sign-in, sessions, CSRF, roles, the apps client,
 * the layout) and its sections (shows, delivery and money, orders, timeline). A section registers
 * its pages and JSON routes on a router the core has already authenticated; it reaches the other
 * apps only through `ctx.apps` (Dapr service invocation via the admin app's own sidecar) and
 * records every state-changing action with `ctx.recordAction`. docs/admin-console-design.md.
 */
import type { Request, Router } from 'express';
import type { Logger } from 'pino';
import type { OpenApiRegistry } from './openapi';

export type Role = 'admin' | 'manager';

export interface SignedInUser {
  name: string;
  roles: Role[];
  /** The admin_sessions row id: actions name the session they came from. */
  sessionId: string;
}

/** The apps the console calls, by Dapr app id. */
export type TargetApp = 'booking' | 'delivery' | 'fulfillment';

export interface AppCall {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path and query on the target app, e.g. `/api/admin/refunds?status=FAILED`. */
  path: string;
  body?: unknown;
  /**
   * Which of the console's server-side credentials the target wants: `admin` (ADMIN_API_TOKEN) or
   * `manager` (MANAGER_API_TOKEN). The core also sends `X-Holdfast-Actor: <user name>`.
   */
  credential: 'admin' | 'manager';
}

/** A non-2xx answer of another app: its RFC 9457 problem, kept for the page to put in words. */
export class AppCallError extends Error {
  constructor(readonly status: number, readonly code: string, readonly detail: string, readonly app: TargetApp) {
    super(`${app} answered ${status} ${code}: ${detail}`);
  }
}

export interface AppsClient {
  /** Service invocation on behalf of `user`; resolves the parsed JSON body, throws AppCallError on non-2xx. */
  call<T = unknown>(user: SignedInUser, app: TargetApp, call: AppCall): Promise<T>;
}

export type ActionTargetKind = 'show' | 'booking' | 'order' | 'dead-letter' | 'refund' | 'manual-review' | 'webhook';

export interface ActionRecord {
  /** What was done, e.g. `show.cancel`, `order.approve`, `dead-letter.replay`. */
  action: string;
  target: { kind: ActionTargetKind; id: string };
  /** `ok` when the app accepted it, `refused` on its 4xx, `failed` on 5xx or no answer. */
  outcome: 'ok' | 'refused' | 'failed';
  /** Small, secret-free context (a reason, the app's error code). */
  detail?: Record<string, unknown>;
}

/** An admin action as admin_actions holds it, for the timeline. */
export interface StoredAction {
  at: Date;
  userName: string;
  action: string;
  targetKind: string;
  targetId: string;
  outcome: string;
  detail: Record<string, unknown> | null;
  sessionId: string;
  correlationId: string | null;
}

/** The console's own record of actions, read back (the timeline shows them with the apps' events). */
export interface ActionsLookup {
  /** The actions on any of these targets, oldest first. */
  forTargets(targets: ReadonlyArray<{ kind: string; id: string }>): Promise<StoredAction[]>;
}

export interface SectionContext {
  apps: AppsClient;
  /** Stores who (req's user), what, when, from which session; shown in the timeline of the target. */
  recordAction(req: Request, record: ActionRecord): Promise<void>;
  logger: Logger;
  /** The console's OpenAPI document (GET /openapi.json): a section documents each JSON route it mounts. */
  openapi: OpenApiRegistry;
  /** admin_actions read back (the timeline); absent where the core has no database (a unit test's app). */
  actions?: ActionsLookup;
}

export interface AdminSection {
  /** Navigation label, e.g. "Shows". */
  label: string;
  /** Navigation link, e.g. "/shows". */
  path: string;
  /** Who sees the section in the navigation; its routes check roles themselves with requireRole. */
  roles: Role[];
  register(router: Router, ctx: SectionContext): void;
}
