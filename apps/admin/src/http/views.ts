/**
 * Server-rendered pages: eta templates in apps/admin/views, rendered through express's
 * res.render(name, data). A page template starts with `<% layout('layout') %>`; the layout reads
 * what the core put in res.locals (user, nav, csrfToken) and app.locals (fmt, describeProblem).
 */
import { join } from 'node:path';
import type { Express, Request, Response } from 'express';
import { Eta } from 'eta';
import { describeProblem } from '../domain/problem-words';
import { formatDuration, formatMoney, formatTime } from '../domain/format';

export const VIEWS_DIR = join(__dirname, '..', '..', 'views');
export const STATIC_DIR = join(__dirname, '..', '..', 'static');

export function useEta(app: Express, options: { cache: boolean }): void {
  const eta = new Eta({ views: VIEWS_DIR, cache: options.cache, autoEscape: true, useWith: false });
  app.engine('eta', (path: string, data: object, done: (error: unknown, html?: string) => void) => {
    // express hands an absolute path; eta resolves names against its views directory.
    const name = path.startsWith(VIEWS_DIR) ? path.slice(VIEWS_DIR.length).replace(/\.eta$/, '') : path;
    eta.renderAsync(name, data).then((html) => done(null, html), done);
  });
  app.set('view engine', 'eta');
  app.set('views', VIEWS_DIR);
  app.locals.fmt = { money: formatMoney, time: formatTime, duration: formatDuration };
  app.locals.describeProblem = describeProblem;
}

/** A page that says what went wrong in a sentence (status kept: 401, 403, 404, 409, 429, 5xx). */
export function renderErrorPage(req: Request, res: Response, status: number, sentence: string, title = 'Something went wrong'): void {
  res.status(status).render('error', { title, sentence, status, path: req.path });
}
