/**
 * `npm start`'s launcher, end to end on its own ports: every app of dapr.yaml comes up beside its
 * sidecar and reports ready, and SIGINT (Ctrl-C) leaves no process of ours running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../scripts/devstack/env';
import { readRunFile } from '../../scripts/devstack/run-file';
import { loadTestRun, TEST_DATA_DIR } from '../support/test-env';

/** Every live process whose parent chain leads to `root`. */
function descendants(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(entry), ppid);
    } catch {
      // exited while we looked
    }
  }
  const found: number[] = [];
  for (const pid of parents.keys()) {
    for (let p = parents.get(pid); p !== undefined && p > 1; p = parents.get(p)) {
      if (p === root) {
        found.push(pid);
        break;
      }
    }
  }
  return found;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
};

// Ports far from npm start's and the other tests', so all three can run at once.
const OFFSET = 20_000;
const apps = readRunFile(join(ROOT, 'dapr.yaml'));

describe('the dapr.yaml launcher (npm start)', () => {
  let launcher: ChildProcess | undefined;
  afterAll(() => {
    if (launcher?.pid && alive(launcher.pid)) launcher.kill('SIGKILL');
  });

  it('when started, then every app and sidecar is ready; when interrupted, then nothing of ours keeps running', async () => {
    const run = loadTestRun();
    const env: NodeJS.ProcessEnv = {
      ...process.env, DATABASE_URL: run.databaseUrl, HOLDFAST_RUN_DIR: join(TEST_DATA_DIR, 'launcher'), LOG_LEVEL: 'warn',
      HOLDFAST_SMS_GATEWAY_URL: `${run.providersUrl}/sms/send`,
    };
    for (const app of apps) {
      const prefix = `HOLDFAST_${app.appID.toUpperCase()}_`;
      if (app.appPort !== undefined) env[`${prefix}PORT`] = String(app.appPort + OFFSET);
      if (app.daprInternalGRPCPort !== undefined) env[`${prefix}DAPR_INTERNAL_GRPC_PORT`] = String(app.daprInternalGRPCPort - 26_000);
      env[`${prefix}DAPR_HTTP_PORT`] = String(app.daprHTTPPort + OFFSET);
      env[`${prefix}DAPR_GRPC_PORT`] = String(app.daprGRPCPort - 26_000);
      env[`${prefix}METRICS_PORT`] = String(app.metricsPort + OFFSET);
    }
    // Below the ephemeral range (32768-60999) like every test port.
    for (const [name, port] of Object.entries({ PLACEMENT: 26005, PLACEMENT_HEALTHZ: 26080, PLACEMENT_METRICS: 26090, PLACEMENT_RAFT: 26201, SCHEDULER: 26006,
      SCHEDULER_HEALTHZ: 26081, SCHEDULER_METRICS: 26091, SCHEDULER_ETCD_CLIENT: 26379, SCHEDULER_ETCD_PEER: 26380 })) {
      env[`HOLDFAST_${name}_PORT`] = String(port);
    }

    launcher = spawn(process.execPath, ['--import', 'tsx', 'scripts/dapr-run/main.ts', 'dapr.yaml'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    launcher.stdout!.on('data', (chunk) => (output += chunk));
    launcher.stderr!.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => launcher!.on('exit', (code) => resolve(code)));

    const deadline = Date.now() + 150_000;
    while (!output.includes('the platform is up')) {
      if (Date.now() > deadline || launcher.exitCode !== null) throw new Error(`launcher did not come up:\n${output.slice(-3000)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    for (const app of apps.filter((a) => a.appPort !== undefined)) {
      expect(output).toContain(`http://127.0.0.1:${app.appPort! + OFFSET}`);
      const ready = await fetch(`http://127.0.0.1:${app.appPort! + OFFSET}/readyz`);
      expect({ app: app.appID, status: ready.status }).toEqual({ app: app.appID, status: 200 });
    }

    // Clients come in through the gateway with the client credential, which no app's sidecar takes.
    const gateway = apps.find((a) => a.appPort === undefined)!;
    const booking = apps.find((a) => a.appID === 'booking')!;
    expect(output).toContain('HOLDFAST_CLIENT_API_TOKEN');
    const viaGateway = await fetch(`http://127.0.0.1:${gateway.daprHTTPPort + OFFSET}/v1.0/invoke/booking/method/healthz`, { headers: { 'dapr-api-token': run.clientApiToken } });
    expect(viaGateway.status).toBe(200);
    const viaBookingSidecar = await fetch(`http://127.0.0.1:${booking.daprHTTPPort + OFFSET}/v1.0/invoke/booking/method/healthz`, { headers: { 'dapr-api-token': run.clientApiToken } });
    expect(viaBookingSidecar.status).toBe(401);

    const ours = descendants(launcher.pid!);
    const names = ours.map((pid) => readFileSync(`/proc/${pid}/comm`, 'utf8').trim());
    expect(names.filter((n) => n === 'daprd')).toHaveLength(apps.length);
    expect(names).toEqual(expect.arrayContaining(['placement', 'scheduler']));

    launcher.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(ours.filter(alive)).toEqual([]);
  });
});
