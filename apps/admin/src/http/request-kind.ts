/** What a request wants back and where it came from: the answers differ for JSON and for pages. */
import type { Request } from 'express';

/** A JSON request: under /api/, or one that accepts application/json (a browser's page load does not say so). */
export function wantsJson(req: Request): boolean {
  return req.path.startsWith('/api/') || (req.get('accept') ?? '').includes('application/json');
}

/** Set by the pages' own timers (seat map, progress panel, charts): such a request is not a person's activity. */
export const POLL_HEADER = 'x-holdfast-poll';

export function requestOrigin(req: Request): 'person' | 'poll' {
  return req.get(POLL_HEADER) === '1' ? 'poll' : 'person';
}

/** The client's address: the socket's, or behind a trusted proxy the one that proxy added last. */
export function clientAddress(req: Request, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = (req.get('x-forwarded-for') ?? '').split(',').map((a) => a.trim()).filter(Boolean);
    if (forwarded.length > 0) return forwarded[forwarded.length - 1]!;
  }
  return req.socket.remoteAddress ?? 'unknown';
}

/** Whether the browser reached us over TLS (directly, or through a trusted proxy that says so). */
export function overTls(req: Request, trustProxy: boolean): boolean {
  return req.secure || (trustProxy && (req.get('x-forwarded-proto') ?? '').split(',')[0]!.trim() === 'https');
}

export function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** A local path to go back to after sign-in; anything else (another host, //evil) is the home page. */
export function safeNext(raw: unknown): string {
  return typeof raw === 'string' && /^\/(?![/\\])[\x21-\x7e]*$/.test(raw) && !raw.startsWith('/signin') && !raw.startsWith('/signout') ? raw : '/';
}
