/**
 * First run on a fresh machine (issue 17): a clone under a mode-700 folder gets PostgreSQL and
 * Redis running and migrated by scripts/setup.sh, as root (PostgreSQL then runs as `postgres`, who
 * cannot enter the clone), as an ordinary user made for the test, and with DATABASE_URL/REDIS_HOST
 * pointing at servers the test started elsewhere; then an ordinary user on a machine missing the
 * packages gets one message naming them all, before anything starts.
 *
 * What "the set-up" covers: scripts/setup.sh in full (prerequisites check, npm packages check, Dapr
 * runtime check, infra start, Prisma client, migrations), with two shortcuts so a clone takes
 * seconds instead of minutes (`npm ci` and the 4-minute Dapr build are not what this test is about):
 * - the clone's node_modules is a folder of symlinks, one per entry of this checkout's node_modules
 *   (so nothing npm could do in the clone reaches ours), and its package-lock.json gets ours' time,
 *   so setup.sh finds the packages current and does not run `npm ci`;
 * - DAPR_INSTALL_DIR names the Dapr this checkout's set-up built (for the ordinary user, a folder
 *   of theirs holding hard links to it: ~/.dapr under /root is closed to them).
 * A clone is of HEAD, with this checkout's uncommitted changes to tracked files copied over, so the
 * test runs the scripts you have. Each scenario ends with `infra.sh stop` and the test checks that
 * no PostgreSQL or Redis of the scenario's ports is left; the clones and data are deleted after.
 * Ports: 29432-29434 (PostgreSQL), 29379-29381 (Redis), away from npm start's, npm test's and the
 * other tests' ports.
 */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { chownSync, copyFileSync, existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from 'pg';
import { ROOT, readConnections, sidecarProcessEnv } from '../../scripts/devstack/env';

const USER = 'holdfast-firstrun';
const MIGRATIONS = readdirSync(join(ROOT, 'shared', 'prisma', 'migrations')).filter((d) => statSync(join(ROOT, 'shared', 'prisma', 'migrations', d)).isDirectory()).length;
const DAPR_BIN = process.env.DAPR_INSTALL_DIR ?? join(homedir(), '.dapr', 'bin');
/** A fresh login's PATH (no node_modules/.bin of ours), with node's folder. */
const PATH = [dirname(process.execPath), '/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'].join(':');
const PORTS = {
  root: { pg: 29432, redis: 29379 },
  user: { pg: 29433, redis: 29380 },
  /** The third clone's own ports: with DATABASE_URL and REDIS_HOST given, nothing may listen there. */
  own: { pg: 29434, redis: 29381 },
};

interface Run { status: number | null; output: string }

function run(command: string, args: string[], options: SpawnSyncOptions): Run {
  const result = spawnSync(command, args, { ...options, encoding: 'utf8', timeout: 120_000 });
  return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}` };
}

function ok(result: Run, what: string): string {
  if (result.status !== 0) throw new Error(`${what} failed (status ${result.status}):\n${result.output}`);
  return result.output;
}

/** A command in a clone, as root or as USER, with nothing of this process's environment but `env`. */
function inClone(clone: string, asUser: boolean, script: string, env: Record<string, string>): Run {
  const vars = Object.entries({ PATH, LANG: 'C.UTF-8', ...env }).map(([k, v]) => `${k}=${v}`);
  return asUser
    ? run('runuser', ['-u', USER, '--', 'env', '-i', ...vars, 'bash', '-c', script], { cwd: clone })
    : run('env', ['-i', ...vars, 'bash', '-c', script], { cwd: clone });
}

function portInUse(port: number): boolean {
  return run('bash', ['-c', `(exec 3<>/dev/tcp/127.0.0.1/${port}) 2>/dev/null`], {}).status === 0;
}

/** Every live postgres or redis-server process whose command line names one of these ports. */
function serversOn(ports: number[]): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
    } catch {
      continue;
    }
    if (!/postgres|redis-server/.test(cmdline)) continue;
    if (ports.some((port) => cmdline.includes(`-p ${port} `) || cmdline.includes(`:${port}`) || cmdline.includes(`--port ${port}`))) found.push(`${pid}: ${cmdline}`);
  }
  return found;
}

/** git clone of this checkout into `clone`, our uncommitted changes over it, node_modules by symlinks. */
function makeClone(clone: string): void {
  ok(run('git', ['clone', '-q', ROOT, clone], {}), 'git clone');
  const changed = ok(run('git', ['-C', ROOT, 'diff', '--name-only', 'HEAD'], {}), 'git diff').split('\n').filter(Boolean);
  for (const file of changed) if (existsSync(join(ROOT, file))) copyFileSync(join(ROOT, file), join(clone, file));
  const modules = join(clone, 'node_modules');
  mkdirSync(modules);
  for (const entry of readdirSync(join(ROOT, 'node_modules'))) symlinkSync(join(ROOT, 'node_modules', entry), join(modules, entry));
  // Ours are current for our lock file; the clone's must not look newer (setup.sh would run npm ci).
  const lock = statSync(join(ROOT, 'package-lock.json'));
  if (readFileSync(join(clone, 'package-lock.json'), 'utf8') !== readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) throw new Error('the clone\'s package-lock.json differs from ours: its node_modules would not be ours');
  utimesSync(join(clone, 'package-lock.json'), lock.atime, lock.mtime);
}

/** The Dapr binaries the user may run: hard links to ours (root's ~/.dapr is closed to them), with the build stamp, in <base>/dapr-bin. */
function userDaprBin(base: string, owner: { uid: number; gid: number }): string {
  const dapr = join(base, 'dapr-bin');
  mkdirSync(dapr);
  chownSync(dapr, owner.uid, owner.gid);
  for (const name of ['daprd', 'placement', 'scheduler']) linkSync(join(DAPR_BIN, name), join(dapr, name));
  writeFileSync(join(dapr, '.holdfast-dapr-build'), readFileSync(join(DAPR_BIN, '.holdfast-dapr-build')));
  chownSync(join(dapr, '.holdfast-dapr-build'), owner.uid, owner.gid);
  return dapr;
}

/** A folder of mode 700 holding the clone at <folder>/locked/holdfast (locked: mode 700 too). */
function lockedClone(parent: string, owner?: { uid: number; gid: number }): { base: string; clone: string } {
  const base = mkdtempSync(join(parent, 'holdfast-firstrun-'));
  mkdirSync(join(base, 'locked'), { mode: 0o700 });
  const clone = join(base, 'locked', 'holdfast');
  makeClone(clone);
  if (owner) ok(run('chown', ['-R', '-h', `${owner.uid}:${owner.gid}`, base], {}), 'chown');
  return { base, clone };
}

async function migrationsApplied(databaseUrl: string): Promise<number> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const exists = await client.query(`select to_regclass('public._prisma_migrations') is not null as present`);
    if (!exists.rows[0].present) return 0;
    const { rows } = await client.query('select count(*)::int as n from _prisma_migrations where finished_at is not null and rolled_back_at is null');
    return rows[0].n as number;
  } finally {
    await client.end();
  }
}

function redisAnswers(port: number, password: string): boolean {
  return run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'ping'], { env: { PATH, REDISCLI_AUTH: password } }).output.includes('PONG');
}

/** The clone's connection settings, as `infra.sh env` prints them. */
function envOf(clone: string, asUser: boolean, env: Record<string, string>): { DATABASE_URL: string; REDIS_PASSWORD: string } {
  const out = ok(inClone(clone, asUser, 'bash scripts/infra.sh env', env), 'infra.sh env');
  const value = (key: string) => out.split('\n').find((l) => l.startsWith(`${key}=`))?.slice(key.length + 1) ?? '';
  return { DATABASE_URL: value('DATABASE_URL'), REDIS_PASSWORD: value('REDIS_PASSWORD') };
}

function userIds(): { uid: number; gid: number; home: string } {
  if (run('id', ['-u', USER], {}).status !== 0) ok(run('useradd', ['-m', '-s', '/bin/bash', USER], {}), 'useradd');
  const entry = ok(run('getent', ['passwd', USER], {}), 'getent').trim().split(':');
  return { uid: Number(entry[2]), gid: Number(entry[3]), home: entry[5] ?? `/home/${USER}` };
}

jest.setTimeout(300_000);

describe('first run on a fresh machine: npm start and npm test set-up in a clone under a mode-700 folder', () => {
  const cleanups: Array<() => void> = [];
  let rootClone = '';
  const rootEnv = { HOME: homedir(), DAPR_INSTALL_DIR: DAPR_BIN, HOLDFAST_PG_PORT: String(PORTS.root.pg), HOLDFAST_REDIS_PORT: String(PORTS.root.redis) };
  let user: { uid: number; gid: number; home: string };

  beforeAll(() => {
    if (process.getuid?.() !== 0) throw new Error('the first-run test makes a user and runs as two: it needs root (CI runs as root)');
    const taken = Object.values(PORTS).flatMap((p) => [p.pg, p.redis]).filter(portInUse);
    if (taken.length) throw new Error(`ports ${taken.join(', ')} are taken (a first-run test left running? ${serversOn(taken).join('; ')})`);
    user = userIds();
  });

  afterAll(() => {
    for (const cleanup of cleanups.reverse()) {
      try {
        cleanup();
      } catch (error) {
        console.error(`first-run cleanup: ${String(error)}`);
      }
    }
  });

  it('as root, PostgreSQL runs as postgres from /var/lib/holdfast/<checkout id>, Redis from .data; both answer, the migrations are applied, stop leaves nothing', async () => {
    const { base, clone } = lockedClone(mkdtempSync('/tmp/holdfast-firstrun-root-'));
    rootClone = clone;
    cleanups.push(() => {
      inClone(clone, false, 'bash scripts/infra.sh reset', rootEnv);
      rmSync(dirname(base), { recursive: true, force: true });
    });
    expect(statSync(dirname(clone)).mode & 0o777).toBe(0o700);

    const setup = ok(inClone(clone, false, 'bash scripts/setup.sh', rootEnv), 'setup.sh as root');
    const pgHome = /cluster (\/var\/lib\/holdfast\/holdfast-[0-9a-f]{12})\/postgres/.exec(setup)?.[1] ?? 'not in /var/lib/holdfast';
    expect(setup).toContain(`cluster ${pgHome}/postgres`);
    expect(readFileSync(join(pgHome, 'checkout'), 'utf8').trim()).toBe(join(clone, '.data'));
    expect(statSync(join(pgHome, 'postgres')).uid).toBe(Number(ok(run('id', ['-u', 'postgres'], {}), 'id postgres').trim()));
    expect(existsSync(join(clone, '.data', 'postgres'))).toBe(false);
    const status = ok(inClone(clone, false, 'bash scripts/infra.sh status', rootEnv), 'status');
    expect(status).toContain(`PostgreSQL running on 127.0.0.1:${PORTS.root.pg}`);
    expect(status).toContain(`cluster ${pgHome}/postgres`);
    expect(status).toContain(`Redis running on 127.0.0.1:${PORTS.root.redis}`);

    const env = envOf(clone, false, rootEnv);
    expect(await migrationsApplied(env.DATABASE_URL)).toBe(MIGRATIONS);
    expect(redisAnswers(PORTS.root.redis, env.REDIS_PASSWORD)).toBe(true);

    // Stop, start again (the same cluster, found again), and the test set-up beside it.
    ok(inClone(clone, false, 'bash scripts/infra.sh stop', rootEnv), 'stop');
    expect(serversOn([PORTS.root.pg, PORTS.root.redis])).toEqual([]);
    const again = ok(inClone(clone, false, 'bash scripts/setup.sh --test', rootEnv), 'setup.sh --test as root');
    expect(again).not.toContain('initialising');
    expect(await migrationsApplied(env.DATABASE_URL.replace(/\/holdfast$/, '/holdfast_test'))).toBe(MIGRATIONS);
    // Left running: the next-but-one scenario's "servers of the user's own".
  });

  it('as an ordinary user (no root), PostgreSQL and Redis run as that user from .data; both answer, the migrations are applied, stop leaves nothing', async () => {
    const { base, clone } = lockedClone(user.home, user);
    const dapr = userDaprBin(base, user);
    const env = { HOME: user.home, DAPR_INSTALL_DIR: dapr, HOLDFAST_PG_PORT: String(PORTS.user.pg), HOLDFAST_REDIS_PORT: String(PORTS.user.redis) };
    cleanups.push(() => {
      inClone(clone, true, 'bash scripts/infra.sh stop', env);
      rmSync(base, { recursive: true, force: true });
    });
    expect(statSync(base).mode & 0o777).toBe(0o700);

    const setup = ok(inClone(clone, true, 'bash scripts/setup.sh', env), 'setup.sh as an ordinary user');
    expect(setup).toContain(`cluster ${join(clone, '.data', 'postgres')}`);
    expect(setup).not.toContain('installing');
    const pid = readFileSync(join(clone, '.data', 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0];
    expect(statSync(`/proc/${pid}`).uid).toBe(user.uid);
    expect(statSync(`/proc/${readFileSync(join(clone, '.data', 'run', 'redis.pid'), 'utf8').trim()}`).uid).toBe(user.uid);
    const connections = envOf(clone, true, env);
    expect(await migrationsApplied(connections.DATABASE_URL)).toBe(MIGRATIONS);
    expect(redisAnswers(PORTS.user.redis, connections.REDIS_PASSWORD)).toBe(true);

    ok(inClone(clone, true, 'bash scripts/infra.sh stop', env), 'stop');
    expect(serversOn([PORTS.user.pg, PORTS.user.redis])).toEqual([]);
  });

  it('with DATABASE_URL and REDIS_HOST (servers started elsewhere), nothing local starts; the tests get <db>_test, never DATABASE_URL\'s database', async () => {
    expect(rootClone).not.toBe('');
    const elsewhere = envOf(rootClone, false, rootEnv);
    // The user's own database on the servers started elsewhere (the root scenario's, on other ports).
    const admin = new Client({ connectionString: elsewhere.DATABASE_URL });
    await admin.connect();
    await admin.query('DROP DATABASE IF EXISTS firstrun_own_test');
    await admin.query('DROP DATABASE IF EXISTS firstrun_own');
    await admin.query('CREATE DATABASE firstrun_own');
    await admin.end();
    const databaseUrl = elsewhere.DATABASE_URL.replace(/\/holdfast$/, '/firstrun_own');

    const { base, clone } = lockedClone(user.home, user);
    const dapr = userDaprBin(base, user);
    const env = {
      HOME: user.home, DAPR_INSTALL_DIR: dapr, HOLDFAST_PG_PORT: String(PORTS.own.pg), HOLDFAST_REDIS_PORT: String(PORTS.own.redis),
      DATABASE_URL: databaseUrl, REDIS_HOST: '127.0.0.1', REDIS_PORT: String(PORTS.root.redis), REDIS_PASSWORD: elsewhere.REDIS_PASSWORD,
    };
    cleanups.push(() => {
      inClone(clone, true, 'bash scripts/infra.sh stop', env);
      rmSync(base, { recursive: true, force: true });
    });

    // npm test's set-up: the test database beside the user's, made here; the user's own untouched.
    const testSetup = ok(inClone(clone, true, 'bash scripts/setup.sh --test', env), 'setup.sh --test with DATABASE_URL');
    expect(testSetup).toContain('DATABASE_URL is set: using that PostgreSQL');
    expect(testSetup).toContain('REDIS_HOST is set: using that Redis');
    expect(testSetup).toContain('created the test database firstrun_own_test');
    expect(await migrationsApplied(databaseUrl.replace(/\/firstrun_own$/, '/firstrun_own_test'))).toBe(MIGRATIONS);
    expect(await migrationsApplied(databaseUrl)).toBe(0);
    expect(ok(inClone(clone, true, 'bash scripts/infra.sh test-database-url', env), 'test-database-url').trim()).toBe(databaseUrl.replace(/\/firstrun_own$/, '/firstrun_own_test'));
    // The same database for both only when the user says so.
    const same = inClone(clone, true, 'bash scripts/infra.sh test-database-url', { ...env, TEST_DATABASE_URL: databaseUrl });
    expect(same.status).not.toBe(0);
    expect(same.output).toContain('HOLDFAST_TEST_ON_DATABASE_URL=yes');

    // npm start's set-up: the user's database migrated.
    ok(inClone(clone, true, 'bash scripts/setup.sh', env), 'setup.sh with DATABASE_URL');
    expect(await migrationsApplied(databaseUrl)).toBe(MIGRATIONS);
    expect(redisAnswers(PORTS.root.redis, elsewhere.REDIS_PASSWORD)).toBe(true);

    // Nothing local: no cluster, no Redis, nothing on the clone's own ports.
    expect(existsSync(join(clone, '.data', 'postgres'))).toBe(false);
    expect(existsSync(join(clone, '.data', 'redis'))).toBe(false);
    expect([PORTS.own.pg, PORTS.own.redis].filter(portInUse)).toEqual([]);
    expect(serversOn([PORTS.own.pg, PORTS.own.redis])).toEqual([]);
    const status = ok(inClone(clone, true, 'bash scripts/infra.sh status', env), 'status');
    expect(status).toContain('PostgreSQL: yours (DATABASE_URL)');
    expect(status).toContain('Redis: yours (REDIS_HOST=127.0.0.1)');
    // The Dapr state store and pub/sub get the user's servers.
    const connections = readConnections({ PATH, DATABASE_URL: databaseUrl, REDIS_HOST: '127.0.0.1', REDIS_PORT: String(PORTS.root.redis), REDIS_PASSWORD: elsewhere.REDIS_PASSWORD });
    const sidecar = sidecarProcessEnv({}, connections, { daprApiToken: 'x', appApiToken: 'y' }, 'http://127.0.0.1:1', 'skeleton');
    expect(new URL(sidecar.HOLDFAST_SECRET_STATE_DATABASE_URL!).port).toBe(String(PORTS.root.pg));
    expect(sidecar.HOLDFAST_REDIS_ADDRESS).toBe(`127.0.0.1:${PORTS.root.redis}`);
    expect(sidecar.HOLDFAST_SECRET_REDIS_PASSWORD).toBe(elsewhere.REDIS_PASSWORD);

    ok(inClone(clone, true, 'bash scripts/infra.sh stop', env), 'stop');
    // The servers elsewhere: stopped by their own checkout, and nothing left of any scenario.
    ok(inClone(rootClone, false, 'bash scripts/infra.sh stop', rootEnv), 'stop (root)');
    expect(serversOn(Object.values(PORTS).flatMap((p) => [p.pg, p.redis]))).toEqual([]);
  });

  it('as an ordinary user on a machine without the packages, one message names them all with the command, and nothing starts', () => {
    const { base, clone } = lockedClone(user.home, user);
    cleanups.push(() => rmSync(base, { recursive: true, force: true }));
    // A PATH without redis-server, redis-cli, git, go and python3; no PostgreSQL; no Dapr built.
    const bin = join(base, 'bin');
    mkdirSync(bin);
    for (const name of readdirSync('/usr/bin')) {
      if (/^(redis-|git|go$|gofmt$|python3)/.test(name)) continue;
      symlinkSync(join('/usr/bin', name), join(bin, name));
    }
    if (!existsSync(join(bin, 'node'))) symlinkSync(process.execPath, join(bin, 'node'));
    const env = { HOME: user.home, PATH: bin, HOLDFAST_PG_LIB: join(base, 'no-postgresql'), DAPR_INSTALL_DIR: join(base, 'no-dapr'), HOLDFAST_PG_PORT: String(PORTS.user.pg), HOLDFAST_REDIS_PORT: String(PORTS.user.redis) };
    const setup = inClone(clone, true, 'bash scripts/setup.sh --test', env);
    expect(setup.status).not.toBe(0);
    expect(setup.output).toContain('Missing Debian packages: postgresql redis-server golang git python3-venv');
    expect(setup.output).toContain('sudo apt-get install -y postgresql redis-server golang git python3-venv');
    expect(setup.output).toContain('set DATABASE_URL and REDIS_HOST');
    expect(setup.output.match(/Missing Debian packages/g)).toHaveLength(1);
    expect(setup.output).not.toMatch(/installing npm packages|dapr-runtime|PostgreSQL started|Redis started/);
    expect(existsSync(join(clone, '.data', 'postgres'))).toBe(false);
    expect(existsSync(join(base, 'no-dapr'))).toBe(false);
    // With their own servers, only what the set-up itself needs is left to install.
    const own = inClone(clone, true, 'bash scripts/infra.sh check', { ...env, DATABASE_URL: 'postgresql://u:p@127.0.0.1:1/x', REDIS_HOST: '127.0.0.1' });
    expect(own.status).toBe(0);
  });
});
