/**
 * Text PostgreSQL cannot store: U+0000 (NUL), which neither `text` nor `jsonb` accepts, and a lone
 * UTF-16 surrogate (U+D800–U+DFFF outside a valid pair), which has no UTF-8 form. Either one,
 * anywhere in a request (a body string or object key at any depth, a query value, a path
 * parameter), used to reach the database and come back as a 500. The guard answers a 400
 * VALIDATION_FAILED naming each field instead (`body.title`, `query.topic`, `params.id`), before
 * any handler runs. A valid string never trips it. Pure: no express import.
 */
import { AppError } from './problem';

export interface TextIssue {
  /** Where: `body.venue.name`, `body.seatIds.2`, `query.topic`, `params.id`. */
  path: string;
  message: string;
  /** zod's codes: `invalid_format` for a value, `invalid_key` for an object key. */
  code: 'invalid_format' | 'invalid_key';
}

/** At most this many issues are listed in one answer; the first is enough to fix the client. */
export const MAX_TEXT_ISSUES = 20;

// Cheap pre-test: only a string with NUL or any surrogate needs the exact scan below.
const SUSPECT = /[\u0000\ud800-\udfff]/;

/** Why `text` cannot be stored, or undefined when it can. */
export function unsafeTextReason(text: string): string | undefined {
  if (!SUSPECT.test(text)) return undefined;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit === 0) return 'must not contain U+0000 (NUL)';
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++; // a valid pair
        continue;
      }
      return 'must not contain an unpaired UTF-16 surrogate';
    }
    if (unit >= 0xdc00 && unit <= 0xdfff) return 'must not contain an unpaired UTF-16 surrogate';
  }
  return undefined;
}

interface Node {
  value: unknown;
  key: string | undefined;
  parent: Node | undefined;
}

function pathOf(node: Node | undefined): string {
  const parts: string[] = [];
  for (let n = node; n; n = n.parent) if (n.key !== undefined) parts.push(n.key);
  return parts.reverse().join('.');
}

/**
 * Every string and object key in `value` (any JSON-like value: a parsed body, a query object),
 * walked without recursion so a deeply nested body cannot overflow the stack. `root` prefixes
 * each path (`body`, `query`).
 */
export function findUnsafeText(value: unknown, root: string, limit = MAX_TEXT_ISSUES): TextIssue[] {
  const issues: TextIssue[] = [];
  const stack: Node[] = [{ value, key: root, parent: undefined }];
  while (stack.length > 0 && issues.length < limit) {
    const node = stack.pop()!;
    const current = node.value;
    if (typeof current === 'string') {
      const reason = unsafeTextReason(current);
      if (reason) issues.push({ path: pathOf(node), message: reason, code: 'invalid_format' });
    } else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) stack.push({ value: current[i], key: String(i), parent: node });
    } else if (current !== null && typeof current === 'object') {
      const keys = Object.keys(current);
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i]!;
        const reason = unsafeTextReason(key);
        // The key itself is not put in the path: it is the text that cannot be stored or shown.
        if (reason) issues.push({ path: pathOf(node), message: `an object key ${reason}`, code: 'invalid_key' });
        else stack.push({ value: (current as Record<string, unknown>)[key], key, parent: node });
      }
    }
  }
  return issues.slice(0, limit);
}

/** The 400 VALIDATION_FAILED the guard answers, in the shape zod errors get (problem.ts). */
export function unsafeTextError(issues: TextIssue[]): AppError {
  return new AppError(400, 'VALIDATION_FAILED', 'The request contains text that cannot be stored (U+0000 or an unpaired surrogate).', { errors: issues });
}

/** Throws the 400 when `value` holds any text PostgreSQL cannot store (e.g. a webhook event, checked after its signature). */
export function assertSafeText(value: unknown, root: string): void {
  const issues = findUnsafeText(value, root);
  if (issues.length > 0) throw unsafeTextError(issues);
}

const PERCENT_RUN = /(?:%[0-9A-Fa-f]{2})+/g;
const NOT_UTF8 = 'is not percent-encoded UTF-8 (an unpaired surrogate has no UTF-8 form)';

export interface MarkedPath {
  /** The raw path with each offending percent-encoded run replaced by `markerOf(i)`. */
  path: string;
  /** Why run i is refused. */
  reasons: string[];
}

/** The placeholder of the i-th offending run: URL-safe, and no route pattern contains it. */
export const pathMarker = (i: number) => `~unsafe-text-${i}~`;

/**
 * A raw (still percent-encoded) path with each encoded run that decodes to unsafe text, or does not
 * decode at all (a lone surrogate percent-encodes as WTF-8, which is not UTF-8), replaced by a
 * marker; undefined when the path is clean. Matching the result against the routes tells which
 * parameter held it.
 */
export function markUnsafePath(rawPath: string): MarkedPath | undefined {
  if (!rawPath.includes('%')) return undefined;
  const reasons: string[] = [];
  const path = rawPath.replace(PERCENT_RUN, (run) => {
    let reason: string | undefined;
    try {
      reason = unsafeTextReason(decodeURIComponent(run));
    } catch {
      reason = NOT_UTF8;
    }
    if (!reason) return run;
    reasons.push(reason);
    return pathMarker(reasons.length - 1);
  });
  return reasons.length > 0 ? { path, reasons } : undefined;
}

/** The issues of the params (as matched against the marked path) that hold a marker; `path` when none does. */
export function pathIssues(marked: MarkedPath, params: Record<string, string> | undefined): TextIssue[] {
  const issues: TextIssue[] = [];
  const seen = new Set<number>();
  for (const [name, value] of Object.entries(params ?? {})) {
    marked.reasons.forEach((reason, i) => {
      if (typeof value === 'string' && value.includes(pathMarker(i)) && !seen.has(i)) {
        seen.add(i);
        issues.push({ path: `params.${name}`, message: reason, code: 'invalid_format' });
      }
    });
  }
  marked.reasons.forEach((reason, i) => {
    if (!seen.has(i)) issues.push({ path: 'path', message: reason, code: 'invalid_format' });
  });
  return issues.slice(0, MAX_TEXT_ISSUES);
}
