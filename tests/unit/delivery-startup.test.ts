/**
 * No pretend-success mode: the delivery app refuses to start without a SendGrid key, saying so,
 * before it touches its sidecar or the database.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../../scripts/devstack/env';

function start(env: Record<string, string>) {
  const { SENDGRID_API_KEY: _key, ...inherited } = process.env;
  return spawnSync(process.execPath, ['--require', 'tsx/cjs', join(ROOT, 'apps', 'delivery', 'src', 'main.ts')], {
    cwd: ROOT, encoding: 'utf8', timeout: 60_000,
    env: { ...inherited, DATABASE_URL: 'postgresql://nobody@127.0.0.1:1/none', ADMIN_API_TOKEN: 'a'.repeat(32), APP_PORT: '0', ...env },
  });
}

describe('the delivery app without its provider settings', () => {
  it('when SENDGRID_API_KEY is missing, then it exits 1 naming the variable', () => {
    const result = start({});
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('SENDGRID_API_KEY');
  });

  it('when NOTICE_PHONE_CHANNELS names an unknown channel, then it exits 1 naming it', () => {
    const result = start({ SENDGRID_API_KEY: 'SG.test', NOTICE_PHONE_CHANNELS: 'sms,pigeon' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('pigeon');
  });
});
