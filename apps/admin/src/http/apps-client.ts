/**
 * The console's one way to the other apps: Dapr service invocation through its own sidecar, with
 * the sidecar's token, the admin or manager credential (server-side only), the acting user's name
 * and the request's correlation id. A non-2xx answer becomes an AppCallError carrying the app's
 * problem code, for the page to put in words.
 */
import { CORRELATION_HEADER, currentCorrelationId } from '@holdfast/shared';
import type { Logger } from 'pino';
import { AppCallError, type AppCall, type AppsClient, type SignedInUser, type TargetApp } from './section';

export const ACTOR_HEADER = 'x-holdfast-actor';

export interface AppsClientSettings {
  DAPR_HOST: string;
  DAPR_HTTP_PORT: number;
  DAPR_API_TOKEN?: string;
  ADMIN_API_TOKEN: string;
  MANAGER_API_TOKEN: string;
  ADMIN_APPS_TIMEOUT_MS: number;
}

/** A path as the logs show it: without its query string (the timeline search carries customer emails in q=). */
export const pathForLog = (path: string): string => path.split('?')[0]!;

export function invokeUrl(settings: Pick<AppsClientSettings, 'DAPR_HOST' | 'DAPR_HTTP_PORT'>, app: TargetApp, path: string): string {
  return `http://${settings.DAPR_HOST}:${settings.DAPR_HTTP_PORT}/v1.0/invoke/${app}/method${path.startsWith('/') ? path : `/${path}`}`;
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function createAppsClient(settings: AppsClientSettings, logger: Logger, fetchImpl: typeof fetch = fetch): AppsClient {
  return {
    async call<T>(user: SignedInUser, app: TargetApp, call: AppCall): Promise<T> {
      const headers: Record<string, string> = {
        authorization: `Bearer ${call.credential === 'admin' ? settings.ADMIN_API_TOKEN : settings.MANAGER_API_TOKEN}`,
        [ACTOR_HEADER]: user.name,
        accept: 'application/json',
      };
      if (settings.DAPR_API_TOKEN) headers['dapr-api-token'] = settings.DAPR_API_TOKEN;
      const correlationId = currentCorrelationId();
      if (correlationId) headers[CORRELATION_HEADER] = correlationId;
      if (call.body !== undefined) headers['content-type'] = 'application/json';
      const started = Date.now();
      let response: Response;
      try {
        response = await fetchImpl(invokeUrl(settings, app, call.path), {
          method: call.method, headers, body: call.body === undefined ? undefined : JSON.stringify(call.body), signal: AbortSignal.timeout(settings.ADMIN_APPS_TIMEOUT_MS),
        });
      } catch (error) {
        const timedOut = (error as Error).name === 'TimeoutError';
        logger.warn({ app, method: call.method, path: pathForLog(call.path), err: (error as Error).message, user: user.name }, 'app call failed');
        throw new AppCallError(timedOut ? 504 : 503, 'APP_UNREACHABLE', timedOut ? `${app} did not answer within ${settings.ADMIN_APPS_TIMEOUT_MS} ms` : `${app} could not be reached`, app);
      }
      const body = await readBody(response);
      logger.debug({ app, method: call.method, path: pathForLog(call.path), status: response.status, ms: Date.now() - started, user: user.name }, 'app call');
      if (response.ok) return body as T;
      // The app's RFC 9457 problem, or the sidecar's own error ({ errorCode, message }).
      const problem = (body && typeof body === 'object' ? body : {}) as { code?: string; detail?: string; errorCode?: string; message?: string };
      throw new AppCallError(response.status, problem.code ?? problem.errorCode ?? `HTTP_${response.status}`, problem.detail ?? problem.message ?? (typeof body === 'string' ? body.slice(0, 200) : ''), app);
    },
  };
}
