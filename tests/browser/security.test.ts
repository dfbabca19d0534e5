/**
 * Issue 13's first acceptance point, against the real console and its sidecar: a wrong password
 * is refused and the sixth wrong one in a minute is 429; with direct HTTP calls (not by hiding
 * buttons) a state-changing request without the CSRF token is 403, a manager calling show cancel
 * is 403, an admin-only user calling approve is 403, an expired session is 401; sign-out ends the
 * session; axe-core finds nothing serious on the sign-in and home pages.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { Browser } from 'playwright-core';
import { startAdminStack, type AdminStack, type ConsoleUser } from '../support/admin-stack';
import { checkA11y, launchBrowser, openPage, screenshot, signIn } from './support/browser';
import { SIGNIN_LIMIT } from '../../apps/admin/src/domain/signin-limit';

let stack: AdminStack;
let browser: Browser;
let db: Client;

beforeAll(async () => {
  // The role and CSRF gates answer before any app is called: the console alone is enough here.
  stack = await startAdminStack({ apps: [], logName: 'browser-security' });
  browser = await launchBrowser();
  db = new Client({ connectionString: stack.run.databaseUrl });
  await db.connect();
});
afterAll(async () => {
  await browser?.close();
  await db?.end();
  await stack?.stop();
});

/** A cookie jar over fetch, as a script (not a browser) would talk to the console. */
class HttpSession {
  cookies = new Map<string, string>();
  csrf = '';
  constructor(private readonly base: string) {}

  async request(method: string, path: string, options: { form?: Record<string, string>; json?: unknown; headers?: Record<string, string> } = {}) {
    const headers: Record<string, string> = { ...options.headers };
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    let body: string | undefined;
    if (options.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(options.form).toString();
    } else if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    }
    const response = await fetch(`${this.base}${path}`, { method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(30_000) });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const value = pair!.slice(eq + 1);
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(line) || value === '') this.cookies.delete(pair!.slice(0, eq));
      else this.cookies.set(pair!.slice(0, eq), value);
    }
    const text = await response.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json };
  }

  /** The sign-in form's token (a fresh nonce and its signed cookie). */
  async signinToken(): Promise<string> {
    const page = await this.request('GET', '/signin');
    return /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
  }

  async signIn(name: string, password: string) {
    return this.request('POST', '/signin', { form: { name, password, _csrf: await this.signinToken() } });
  }

  /** Signs in and reads the session's CSRF token from the home page's <meta name="csrf-token">. */
  async signedIn(user: ConsoleUser): Promise<this> {
    const answer = await this.signIn(user.name, user.password);
    expect(answer.status).toBe(303);
    const home = await this.request('GET', '/');
    expect(home.status).toBe(200);
    this.csrf = /<meta name="csrf-token" content="([^"]+)"/.exec(home.text)![1]!;
    return this;
  }

  get sessionId(): string {
    return createHash('sha256').update(decodeURIComponent(this.cookies.get('holdfast_admin')!)).digest('hex');
  }
}

const json = { accept: 'application/json' };
const forgetLoopbackFailures = () => db.query(`DELETE FROM admin_signin_attempts WHERE address IN ('127.0.0.1', '::1', '::ffff:127.0.0.1')`);
const session = () => new HttpSession(stack.url);

describe('sign-in', () => {
  it('refuses a wrong password in the browser with a sentence, and passes axe on the sign-in page before and after', async () => {
    const watched = await openPage(browser, stack.url);
    const { page } = watched;
    const answer = await page.goto('/signin');
    expect(answer!.status()).toBe(200);
    await checkA11y(page, 'the sign-in page');
    await screenshot(page, 'signin');
    await page.getByLabel('User name').fill(stack.users.alan.name);
    await page.getByLabel('Password').fill('not-the-password');
    const [response] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/signin') && r.request().method() === 'POST'), page.getByRole('button', { name: 'Sign in' }).click()]);
    expect(response.status()).toBe(401);
    await expect(page.getByRole('alert').filter({ hasText: 'do not match' }).count()).resolves.toBe(1);
    expect(new URL(page.url()).pathname).toBe('/signin');
    expect((await watched.context.cookies()).some((c) => c.name === 'holdfast_admin')).toBe(false);
    await checkA11y(page, 'the sign-in page with its error');
    await screenshot(page, 'signin-refused');
    // The 401 document itself is the one console error a refused sign-in may log; nothing else.
    expect(watched.errors.filter((e) => !/status of 401/.test(e))).toEqual([]);
    await watched.close();
  });

  it('answers the sixth wrong password within a minute with 429 SIGNIN_RATE_LIMITED and Retry-After, even with the right password', async () => {
    const name = `nobody-${randomUUID().slice(0, 8)}`;
    const client = session();
    // Every test here signs in from 127.0.0.1: start from no failures of this address (the test above made one).
    await forgetLoopbackFailures();
    try {
      for (let i = 1; i <= 5; i++) {
        const answer = await client.signIn(name, `wrong-${i}`);
        expect(answer.status).toBe(401);
        expect(answer.text).toContain('do not match');
      }
      const sixth = await client.signIn(name, 'wrong-6');
      expect(sixth.status).toBe(429);
      expect(Number(sixth.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(Number(sixth.headers.get('retry-after'))).toBeLessThanOrEqual(60);
      expect(sixth.text).toContain('Too many failed sign-ins');
      // The same address is limited for a real user too: guessing cannot switch names to go on.
      const real = await client.request('POST', '/signin', { form: { name: stack.users.ada.name, password: stack.users.ada.password, _csrf: await client.signinToken() }, headers: json });
      expect(real.status).toBe(429);
      expect(real.json.code).toBe('SIGNIN_RATE_LIMITED');
      expect(client.cookies.has('holdfast_admin')).toBe(false);
    } finally {
      // ...and forget these, so the tests after are not limited.
      await forgetLoopbackFailures();
    }
  });

  it('checks exactly 5 of 12 wrong passwords fired in parallel for one name (the rest 429), and then the right one is 429 too', async () => {
    await forgetLoopbackFailures();
    try {
      // One cookie jar each: every attempt carries its own sign-in form token.
      const clients = Array.from({ length: 12 }, () => session());
      const tokens = await Promise.all(clients.map((c) => c.signinToken()));
      const answers = await Promise.all(clients.map((c, i) => c.request('POST', '/signin', { form: { name: stack.users.alan.name, password: `wrong-${i}`, _csrf: tokens[i]! }, headers: json })));
      const statuses = answers.map((a) => a.status);
      const checked = statuses.filter((s) => s === 401).length;
      // The loopback's failures were forgotten above, so the limit's whole allowance is checked, no more.
      expect(checked).toBe(SIGNIN_LIMIT.limit);
      expect(statuses.filter((s) => s === 429).length).toBe(12 - checked);
      expect(answers.filter((a) => a.status === 429).every((a) => a.json.code === 'SIGNIN_RATE_LIMITED')).toBe(true);
      // Exactly the checked ones are recorded as failures.
      const rows = await db.query(`SELECT count(*)::int AS n FROM admin_signin_attempts WHERE user_name = $1 AND at > now() - interval '1 minute'`, [stack.users.alan.name]);
      expect(rows.rows[0].n).toBe(checked);
      const right = session();
      const answer = await right.request('POST', '/signin', { form: { name: stack.users.alan.name, password: stack.users.alan.password, _csrf: await right.signinToken() }, headers: json });
      expect(answer.status).toBe(429);
      expect(answer.json.code).toBe('SIGNIN_RATE_LIMITED');
      expect(right.cookies.has('holdfast_admin')).toBe(false);
    } finally {
      await forgetLoopbackFailures();
    }
  });

  it('ends the session already in the cookie when the same browser signs in again', async () => {
    const client = await session().signedIn(stack.users.ada);
    const first = client.sessionId;
    const firstCookie = client.cookies.get('holdfast_admin')!;
    await client.signedIn(stack.users.alan);
    expect(client.sessionId).not.toBe(first);
    const rows = await db.query('SELECT id, ended_at FROM admin_sessions WHERE id = ANY($1)', [[first, client.sessionId]]);
    const ended = new Map(rows.rows.map((r) => [r.id, r.ended_at]));
    expect(ended.get(first)).not.toBeNull();
    expect(ended.get(client.sessionId)).toBeNull();
    const replay = await fetch(`${stack.url}/`, { headers: { cookie: `holdfast_admin=${firstCookie}`, accept: 'application/json' }, redirect: 'manual' });
    expect(replay.status).toBe(401);
  });

  it('refuses a sign-in without the sign-in form\'s token (login CSRF): 403 CSRF_TOKEN_INVALID', async () => {
    const client = session();
    const answer = await client.request('POST', '/signin', { form: { name: stack.users.ada.name, password: stack.users.ada.password }, headers: json });
    expect(answer.status).toBe(403);
    expect(answer.json.code).toBe('CSRF_TOKEN_INVALID');
    expect(client.cookies.has('holdfast_admin')).toBe(false);
  });
});

describe('with direct HTTP calls', () => {
  it('refuses a state-changing request without the CSRF token (403 CSRF_TOKEN_INVALID), and with another session\'s token', async () => {
    const ada = await session().signedIn(stack.users.ada);
    const other = await session().signedIn(stack.users.alan);
    const withoutToken = await ada.request('POST', '/signout', { headers: json });
    expect(withoutToken.status).toBe(403);
    expect(withoutToken.json.code).toBe('CSRF_TOKEN_INVALID');
    const foreignToken = await ada.request('POST', `/shows/${randomUUID()}/cancel`, { form: { _csrf: other.csrf, reason: 'x', confirmation: 'x' }, headers: json });
    expect(foreignToken.status).toBe(403);
    expect(foreignToken.json.code).toBe('CSRF_TOKEN_INVALID');
    // Nothing was signed out or done: the session still works.
    expect((await ada.request('GET', '/', { headers: json })).status).not.toBe(401);
    const page = await ada.request('POST', '/signout', { form: { _csrf: 'forged' } });
    expect(page.status).toBe(403);
    expect(page.text).toContain('This form has expired or did not come from this console');
    expect(page.text).not.toContain('"code"');
  });

  it('answers a manager\'s show cancel with 403 ROLE_REQUIRED (with a valid CSRF token)', async () => {
    const grace = await session().signedIn(stack.users.grace);
    const answer = await grace.request('POST', `/shows/${randomUUID()}/cancel`, { json: { reason: 'storm', confirmation: 'x' }, headers: { ...json, 'x-csrf-token': grace.csrf } });
    expect(answer.status).toBe(403);
    expect(answer.json.code).toBe('ROLE_REQUIRED');
    const page = await grace.request('GET', '/shows');
    expect(page.status).toBe(403);
    expect(page.text).toContain('does not have the role this page needs');
  });

  it('answers an admin-only user\'s approve with 403 ROLE_REQUIRED (with a valid CSRF token)', async () => {
    const alan = await session().signedIn(stack.users.alan);
    const answer = await alan.request('POST', `/orders/ORD-${randomUUID().slice(0, 8)}/approve`, { form: { _csrf: alan.csrf }, headers: json });
    expect(answer.status).toBe(403);
    expect(answer.json.code).toBe('ROLE_REQUIRED');
  });

  it('answers an expired session with 401 SESSION_EXPIRED (JSON) and a redirect to /signin?expired=1 (pages), and ends it', async () => {
    const ada = await session().signedIn(stack.users.ada);
    // Idle longer than ADMIN_SESSION_IDLE_MINUTES (30 by default).
    await db.query(`UPDATE admin_sessions SET last_seen_at = now() - interval '31 minutes' WHERE id = $1`, [ada.sessionId]);
    const page = await ada.request('GET', '/shows');
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/signin?expired=1&next=%2Fshows');
    const answer = await ada.request('GET', '/api/admin/timeline/search?q=x');
    expect(answer.status).toBe(401);
    expect(answer.json.code).toBe('SIGNIN_REQUIRED');
    const row = await db.query('SELECT ended_at FROM admin_sessions WHERE id = $1', [ada.sessionId]);
    expect(row.rows[0].ended_at).not.toBeNull();

    const fresh = await session().signedIn(stack.users.ada);
    await db.query(`UPDATE admin_sessions SET last_seen_at = now() - interval '31 minutes' WHERE id = $1`, [fresh.sessionId]);
    const json401 = await fresh.request('GET', '/api/admin/timeline/search?q=x');
    expect(json401.status).toBe(401);
    expect(json401.json.code).toBe('SESSION_EXPIRED');
  });

  it('lets a session whose only requests are polls (X-Holdfast-Poll: 1) expire, and ends one older than ADMIN_SESSION_MAX_HOURS (12) however active', async () => {
    const alan = await session().signedIn(stack.users.alan);
    const poll = { ...json, 'x-holdfast-poll': '1' };
    const lastSeen = async (id: string) => (await db.query('SELECT last_seen_at FROM admin_sessions WHERE id = $1', [id])).rows[0].last_seen_at.getTime();
    // 29 minutes without a person's request, then the page's timers poll: they answer, but keep nothing alive.
    await db.query(`UPDATE admin_sessions SET last_seen_at = now() - interval '29 minutes' WHERE id = $1`, [alan.sessionId]);
    const before = await lastSeen(alan.sessionId);
    for (let i = 0; i < 3; i++) expect((await alan.request('GET', '/delivery/series.json', { headers: poll })).status).toBe(200);
    expect(await lastSeen(alan.sessionId)).toBe(before);
    // Two more minutes of nothing but polls: the session is over, for the poll too.
    await db.query(`UPDATE admin_sessions SET last_seen_at = last_seen_at - interval '2 minutes' WHERE id = $1`, [alan.sessionId]);
    const expired = await alan.request('GET', '/delivery/series.json', { headers: poll });
    expect(expired.status).toBe(401);
    expect(expired.json.code).toBe('SESSION_EXPIRED');
    // The same 29 minutes followed by a person's request: that one keeps the session.
    const ada = await session().signedIn(stack.users.ada);
    await db.query(`UPDATE admin_sessions SET last_seen_at = now() - interval '29 minutes' WHERE id = $1`, [ada.sessionId]);
    const adaBefore = await lastSeen(ada.sessionId);
    expect((await ada.request('GET', '/delivery/series.json', { headers: json })).status).toBe(200);
    expect(await lastSeen(ada.sessionId)).toBeGreaterThan(adaBefore);
    // Active a second ago, signed in 12 hours and a minute ago: over.
    await db.query(`UPDATE admin_sessions SET created_at = now() - interval '12 hours 1 minute', last_seen_at = now() - interval '1 second' WHERE id = $1`, [ada.sessionId]);
    const old = await ada.request('GET', '/', { headers: json });
    expect(old.status).toBe(401);
    expect(old.json.code).toBe('SESSION_EXPIRED');
  });

  it('refuses other apps\' service invocation of the console (its sidecar through the gateway)', async () => {
    const answer = await fetch(`${stack.run.gatewayUrl}/v1.0/invoke/admin/method/`, { headers: { 'dapr-api-token': stack.run.clientApiToken } });
    expect(answer.status).toBe(403);
    expect(((await answer.json()) as { code: string }).code).toBe('CALLER_NOT_ALLOWED');
  });
});

describe('signed in, in the browser', () => {
  it('stops a page\'s polling when the session ends and says so in the alert region, with a way to sign in again', async () => {
    const watched = await openPage(browser, stack.url);
    const { page } = watched;
    await signIn(page, stack.users.alan, '/delivery');
    const cookie = (await watched.context.cookies()).find((c) => c.name === 'holdfast_admin')!;
    const sessionId = createHash('sha256').update(decodeURIComponent(cookie.value)).digest('hex');
    await db.query(`UPDATE admin_sessions SET last_seen_at = now() - interval '31 minutes' WHERE id = $1`, [sessionId]);
    // The charts' poller, called as its timer would: it stops, and the page says why.
    const answer = await page.evaluate(() => (globalThis as any).holdfast.poll('/delivery/series.json'));
    expect(answer).toEqual({ stop: true });
    const alert = page.getByRole('alert').filter({ hasText: 'Your session has ended, so this page stopped updating.' });
    await expect(alert.count()).resolves.toBe(1);
    await expect(alert.getByRole('link', { name: 'Sign in again' }).getAttribute('href')).resolves.toBe('/signin?next=%2Fdelivery');
    // Every poller of the page is stopped: the next tick sends nothing.
    let polled = 0;
    page.on('request', (r) => { if (r.url().endsWith('/delivery/series.json')) polled += 1; });
    const later = await page.evaluate(() => (globalThis as any).holdfast.poll('/delivery/series.json'));
    expect(later).toEqual({ stop: true });
    expect(polled).toBe(0);
    await checkA11y(page, 'a page whose session ended');
    await watched.close();
  });

  it('shows the home page with the user\'s sections, security headers, no console error, axe clean; sign-out ends the session', async () => {
    const watched = await openPage(browser, stack.url);
    const { page } = watched;
    const headers = await (await page.goto('/signin'))!.allHeaders();
    expect(headers['content-security-policy']).toContain("script-src 'self'");
    expect(headers['x-frame-options']).toBe('DENY');
    expect(headers['referrer-policy']).toBe('no-referrer');
    expect(headers['x-content-type-options']).toBe('nosniff');
    await signIn(page, stack.users.grace);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain('grace');
    const nav = page.getByRole('navigation', { name: 'Sections' });
    await expect(nav.getByRole('link', { name: 'Orders' }).count()).resolves.toBe(1);
    await expect(nav.getByRole('link', { name: 'Shows' }).count()).resolves.toBe(0);
    const cookie = (await watched.context.cookies()).find((c) => c.name === 'holdfast_admin')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    await checkA11y(page, 'the home page');
    await screenshot(page, 'home-manager');

    await Promise.all([page.waitForURL((url) => url.pathname === '/signin'), page.getByRole('button', { name: 'Sign out' }).click()]);
    const sessionId = createHash('sha256').update(decodeURIComponent(cookie.value)).digest('hex');
    const row = await db.query('SELECT ended_at FROM admin_sessions WHERE id = $1', [sessionId]);
    expect(row.rows[0].ended_at).not.toBeNull();
    // The old cookie opens nothing any more.
    const replay = await fetch(`${stack.url}/`, { headers: { cookie: `holdfast_admin=${cookie.value}`, accept: 'application/json' }, redirect: 'manual' });
    expect(replay.status).toBe(401);
    expect(((await replay.json()) as { code: string }).code).toBe('SIGNIN_REQUIRED');
    watched.expectNoConsoleErrors();
    await watched.close();
  });
});
