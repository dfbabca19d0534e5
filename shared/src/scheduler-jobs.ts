/**
 * Dapr scheduler jobs (the Jobs API of daprd 1.18) for Holdfast's apps: schedule, overwrite and
 * delete a job on the app's own sidecar, and receive its firings.
 *
 * How daprd 1.18.2 does it (read in its source, not guessed):
 * - `POST /v1.0-alpha1/jobs/<name>` with `{schedule?, dueTime?, repeats?, ttl?, data?, overwrite?,
 *   failurePolicy?}` (pkg/api/http/jobs.go, dapr/proto/internals/v1/jobs.proto JobHTTPRequest);
 *   204 when stored. At least one of `schedule` and `dueTime`. `overwrite: false` refuses a name
 *   that exists (the scheduler answers AlreadyExists). `DELETE` and `GET` on the same path.
 * - The job belongs to the app id, not to a replica: the scheduler triggers each tick once and the
 *   sidecars of the app id share the stream, so ONE replica receives it, as
 *   `POST /job/<name>` on the app with the job's `data` as the JSON body, `content-type:
 *   application/json` and the app token in `dapr-api-token` (pkg/channel/http/http_channel.go
 *   constructJobRequest). No `dapr-caller-app-id` header: the invocation guard lets it through as
 *   the sidecar's own callback; a client's invocation through the gateway carries the gateway's
 *   id and /job/ is in no app's invocablePaths, so it meets a 404.
 * - The app's answer (pkg/runtime/scheduler/internal/cluster/streamer.go invokeApp): 2xx is done;
 *   404 is taken as done too (not retried); anything else is a failed tick, retried by the job's
 *   failure policy (default: constant, 3 retries; `{drop: {}}` never retries).
 * - Names: at most 512 characters, none of `/ \ # ?` or control characters (go-etcd-cron's
 *   validator); we keep to `[A-Za-z0-9._:-]`, which needs no escaping in a URL.
 */
import type { Express, NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import type { ZodType } from 'zod';
import { sidecarHeaders, sidecarUrl, type SidecarSettings } from './sidecar';
import { problem, sendProblem } from './problem';

const JOB_NAME = /^[A-Za-z0-9._:-]{1,200}$/;

/** What happens when the app fails a tick (answers neither 2xx nor 404). */
export type JobFailurePolicy =
  | { drop: Record<string, never> }
  /** `interval` a Go duration ("5s"); without `maxRetries`, retried for ever. */
  | { constant: { interval: string; maxRetries?: number } };

export interface JobSpec {
  /** Unique per app id; scheduling the same name again replaces the job unless `overwrite: false`. */
  name: string;
  /** Cron (6 fields, seconds first) or `@every 15m`, `@hourly`...; repeats until `repeats`/`ttl`. */
  schedule?: string;
  /** First (or only) firing: an RFC 3339 time or a Go duration from now ("30s", "1h"). */
  dueTime?: string;
  /** How many times it fires at most. */
  repeats?: number;
  /** When the job expires: an RFC 3339 time or a Go duration from now. */
  ttl?: string;
  /** Any JSON value; the app receives it as the body of POST /job/<name>. */
  data?: unknown;
  /** Default true (replace a job of the same name); false: fail with JobExistsError instead. */
  overwrite?: boolean;
  failurePolicy?: JobFailurePolicy;
}

export class JobExistsError extends Error {
  constructor(readonly jobName: string) {
    super(`a scheduler job named ${jobName} exists`);
    this.name = 'JobExistsError';
  }
}

export function assertJobName(name: string): void {
  if (!JOB_NAME.test(name)) throw new Error(`invalid scheduler job name ${JSON.stringify(name)}: 1-200 of A-Z a-z 0-9 . _ : -`);
}

/** The request body daprd's Jobs API takes for a spec; pure, for the tests. */
export function jobRequestBody(spec: JobSpec): Record<string, unknown> {
  if (spec.schedule === undefined && spec.dueTime === undefined) throw new Error(`scheduler job ${spec.name}: a schedule or a dueTime is required`);
  if (spec.repeats !== undefined && (!Number.isInteger(spec.repeats) || spec.repeats < 1)) throw new Error(`scheduler job ${spec.name}: repeats must be a positive integer`);
  const body: Record<string, unknown> = { overwrite: spec.overwrite ?? true };
  if (spec.schedule !== undefined) body.schedule = spec.schedule;
  if (spec.dueTime !== undefined) body.dueTime = spec.dueTime;
  if (spec.repeats !== undefined) body.repeats = spec.repeats;
  if (spec.ttl !== undefined) body.ttl = spec.ttl;
  if (spec.data !== undefined) body.data = spec.data;
  if (spec.failurePolicy !== undefined) body.failurePolicy = spec.failurePolicy;
  return body;
}

/** A Go duration for a number of milliseconds ("1500ms", "15m"): what dueTime, ttl and `@every` take. */
export function goDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) throw new Error(`not a duration: ${ms}`);
  const whole = Math.round(ms);
  if (whole % 3_600_000 === 0 && whole > 0) return `${whole / 3_600_000}h`;
  if (whole % 60_000 === 0 && whole > 0) return `${whole / 60_000}m`;
  if (whole % 1_000 === 0) return `${whole / 1_000}s`;
  return `${whole}ms`;
}

/** The app's own sidecar's Jobs API. */
export class SchedulerJobs {
  constructor(private readonly settings: SidecarSettings, private readonly timeoutMs = 10_000) {}

  private url(name: string): string {
    assertJobName(name);
    return sidecarUrl(this.settings, `/v1.0-alpha1/jobs/${name}`);
  }

  /** Schedules (by default replaces) the job. Throws JobExistsError when `overwrite: false` meets one. */
  async schedule(spec: JobSpec): Promise<void> {
    const body = jobRequestBody(spec);
    const response = await fetch(this.url(spec.name), {
      method: 'POST',
      headers: { ...sidecarHeaders(this.settings), 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (response.ok) return;
    const text = await response.text();
    if (spec.overwrite === false && /already exists/i.test(text)) throw new JobExistsError(spec.name);
    throw new Error(`scheduling job ${spec.name}: the sidecar answered ${response.status} ${text.slice(0, 300)}`);
  }

  /** Deletes the job; a job that does not exist (any more) is not an error. */
  async delete(name: string): Promise<void> {
    const response = await fetch(this.url(name), {
      method: 'DELETE', headers: sidecarHeaders(this.settings), signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (response.ok || response.status === 404) return;
    const text = await response.text();
    if (/not found/i.test(text)) return;
    throw new Error(`deleting job ${name}: the sidecar answered ${response.status} ${text.slice(0, 300)}`);
  }

  /** The job as the scheduler keeps it, or null when there is none. */
  async get(name: string): Promise<Record<string, unknown> | null> {
    const response = await fetch(this.url(name), { headers: sidecarHeaders(this.settings), signal: AbortSignal.timeout(this.timeoutMs) });
    const text = await response.text();
    if (response.ok) return JSON.parse(text) as Record<string, unknown>;
    if (response.status === 404 || /not found/i.test(text)) return null;
    throw new Error(`reading job ${name}: the sidecar answered ${response.status} ${text.slice(0, 300)}`);
  }
}

export interface JobHandler<T = unknown> {
  /** The job's exact name, or a prefix (ending in '-' or ':' by convention) for a family of jobs. */
  name?: string;
  prefix?: string;
  /** Validates the job's data (the body); invalid data is answered 400 and logged. */
  data?: ZodType<T>;
  /** Throwing fails the tick (500): daprd retries it by the job's failure policy. */
  handle: (data: T, jobName: string) => Promise<void>;
}

/** Which handler takes a job name: an exact name first, then the longest prefix. Pure. */
export function matchJobHandler<H extends Pick<JobHandler, 'name' | 'prefix'>>(handlers: readonly H[], jobName: string): H | undefined {
  const exact = handlers.find((h) => h.name === jobName);
  if (exact) return exact;
  return handlers
    .filter((h) => h.prefix !== undefined && jobName.startsWith(h.prefix))
    .sort((a, b) => b.prefix!.length - a.prefix!.length)[0];
}

/**
 * Serves `POST /job/:name`, the sidecar's delivery of a job firing. Mount it in the app's `routes`
 * (after createHttpApp's app token check and the invocation guard, which already keep everyone but
 * the app's own sidecar out). A name none of these handlers takes falls through to the next
 * serveJobs (several parts of an app may each mount their own), and in the end to the app's 404,
 * which daprd takes as final (no retry).
 */
export function serveJobs(app: Express, handlers: JobHandler<any>[], logger: Logger): void {
  for (const h of handlers) {
    if ((h.name === undefined) === (h.prefix === undefined)) throw new Error('a job handler has exactly one of name and prefix');
  }
  app.post('/job/:name', async (req: Request, res: Response, next: NextFunction) => {
    const jobName = String(req.params.name);
    const handler = matchJobHandler(handlers, jobName);
    if (!handler) {
      logger.debug({ job: jobName }, 'scheduler job not for these handlers');
      return next();
    }
    // daprd sends the job's data as the body (a job scheduled without data: empty, read as undefined or {}).
    const raw: unknown = req.body;
    let data: unknown = raw;
    if (handler.data) {
      const parsed = handler.data.safeParse(raw);
      if (!parsed.success) {
        logger.error({ job: jobName, issues: parsed.error.issues.slice(0, 5) }, 'scheduler job data invalid');
        return sendProblem(req, res, problem(400, 'JOB_DATA_INVALID', `The data of the scheduler job ${jobName} is not what its handler takes.`));
      }
      data = parsed.data;
    }
    try {
      await handler.handle(data, jobName);
      res.status(200).json({ job: jobName, status: 'DONE' });
    } catch (error) {
      logger.error({ err: error, job: jobName }, 'scheduler job failed');
      sendProblem(req, res, problem(500, 'JOB_FAILED', `The scheduler job ${jobName} failed; the scheduler retries it by its failure policy.`));
    }
  });
}
