/**
 * Headless Debian Chromium for the browser tests (playwright-core, no browser download), with the
 * flags docs/platform-notes name, a console-error watch that fails the test, axe-core, and sign-in.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { ConsoleUser } from '../../support/admin-stack';

export const CHROMIUM = process.env.HOLDFAST_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Without the background-networking flags Chromium floods the closed network with refused
 * connections. Each launch gets a fresh, empty profile: playwright makes a temporary
 * --user-data-dir itself (it refuses one in `args`) and removes it at close.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** Every page is opened at this size: docs/admin.md's screenshots all have the same width. */
export const SCREENSHOT_VIEWPORT = { width: 1280, height: 800 };

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  /** Every console error and uncaught page error seen so far. */
  errors: string[];
  /** Fails the test if the page logged any console error or threw. */
  expectNoConsoleErrors(): void;
  close(): Promise<void>;
}

/** A page in a context of its own (its own cookies: one user per page), watched for console errors. */
export async function openPage(browser: Browser, baseURL: string): Promise<WatchedPage> {
  // One fixed size, the screenshots' (playwright's default is 1280x720).
  const context = await browser.newContext({ baseURL, viewport: SCREENSHOT_VIEWPORT });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  return {
    page, context, errors,
    expectNoConsoleErrors: () => expect(errors).toEqual([]),
    close: () => context.close(),
  };
}

let axeSource: string | undefined;

export interface AxeViolation { id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[] }> }

/**
 * Runs axe-core on the page as it is now (a dialog open included) and fails on any serious or
 * critical violation. The source goes in through the debugging protocol (page.evaluate), which
 * the page's strict CSP does not govern: no inline script is added to the page.
 */
export async function checkA11y(page: Page, label = page.url()): Promise<AxeViolation[]> {
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  // The tests compile without the DOM library: the page side is reached through globalThis.
  const loaded = await page.evaluate(() => typeof (globalThis as { axe?: unknown }).axe !== 'undefined');
  if (!loaded) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const page = globalThis as unknown as { axe: { run(context: unknown, options: object): Promise<{ violations: AxeViolation[] }> }; document: unknown };
    const result = await page.axe.run(page.document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
  });
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (serious.length > 0) throw new Error(`axe found ${serious.length} serious/critical violation(s) on ${label}:\n${serious.map((v) => `  - ${v.id} (${v.impact}): ${v.help} at ${JSON.stringify(v.nodes.map((n) => n.target))}`).join('\n')}`);
  return violations;
}

/** Signs in through the form, as a person would; lands on `next` (default the home page). */
export async function signIn(page: Page, user: Pick<ConsoleUser, 'name' | 'password'>, next = '/'): Promise<void> {
  await page.goto(`/signin${next === '/' ? '' : `?next=${encodeURIComponent(next)}`}`);
  await page.getByLabel('User name').fill(user.name);
  await page.getByLabel('Password').fill(user.password);
  await Promise.all([page.waitForURL((url) => url.pathname === next.split('?')[0]), page.getByRole('button', { name: 'Sign in' }).click()]);
}

/**
 * Saves a full-page PNG `<ADMIN_SCREENSHOTS_DIR>/<name>.png` of the page as it is now (the viewport
 * when a dialog is open) when that variable is set (`npm run admin:screenshots`); otherwise does nothing, so the
 * tests take no pictures in `npm test`. The caret is hidden and animations finished, so a picture
 * changes only when the page does.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = process.env.ADMIN_SCREENSHOTS_DIR;
  if (!dir) return;
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`screenshot name ${name}: lower-case letters, digits and - only`);
  const target = resolve(dir);
  mkdirSync(target, { recursive: true });
  // A modal dialog's backdrop covers the viewport only: with one open, the picture is the viewport.
  const modal = (await page.locator('dialog[open]').count()) > 0;
  await page.screenshot({ path: join(target, `${name}.png`), fullPage: !modal, animations: 'disabled', caret: 'hide' });
}
