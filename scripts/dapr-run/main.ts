/**
 * `npm start`: runs every app of dapr.yaml beside its own daprd, with placement and scheduler,
 * the way `dapr run -f dapr.yaml` would (the Dapr CLI cannot be built here; docs/dapr-runtime.md).
 * Ctrl-C stops everything it started.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { applyPortOverrides, portFromEnv, readRunFile, type ResolvedApp } from '../devstack/run-file';
import { killAll, startProcess, stopAll, type RunningProcess } from '../devstack/processes';
import { DEFAULT_CONTROL_PLANE, startControlPlane, startSidecar, untilReady, waitForSidecar, type ControlPlanePorts } from '../devstack/runtime';
import { appProcessEnv, readConnections, ROOT, runTokens, sidecarProcessEnv } from '../devstack/env';
import { httpOk } from '../devstack/wait';

/** Each control-plane port can be moved: placementHealthz -> HOLDFAST_PLACEMENT_HEALTHZ_PORT, placement -> HOLDFAST_PLACEMENT_PORT. */
function controlPlanePorts(env: NodeJS.ProcessEnv, runFile: ResolvedApp[]): ControlPlanePorts {
  // dapr.yaml's placement and scheduler addresses say where the sidecars look: start them there.
  const portOf = (address: string | undefined) => (address ? Number(address.split(':').pop()) : undefined);
  const ports = {
    ...DEFAULT_CONTROL_PLANE,
    placement: portOf(runFile[0]?.placementHostAddress) ?? DEFAULT_CONTROL_PLANE.placement,
    scheduler: portOf(runFile[0]?.schedulerHostAddress) ?? DEFAULT_CONTROL_PLANE.scheduler,
  };
  for (const key of Object.keys(ports) as Array<keyof ControlPlanePorts>) {
    ports[key] = portFromEnv(env, `HOLDFAST_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}_PORT`, ports[key]);
  }
  return ports;
}

/** Set once a signal asked us to stop: start-up failures after that are part of stopping, not errors. */
let stopping = false;

async function main() {
  const runFile = process.argv[2] ?? join(ROOT, 'dapr.yaml');
  const apps = readRunFile(runFile).map((app) => applyPortOverrides(app, process.env));
  const connections = readConnections();
  const providers = apps.find((a) => a.appID === 'providers');
  const providersUrl = `http://127.0.0.1:${providers?.appPort ?? 3001}`;
  // The admin console's users (yours, or the first run's `admin`), for the console's process only.
  const consoleUsersGiven = Boolean(process.env.ADMIN_CONSOLE_USERS);
  const consoleUsers = apps.some((a) => a.appID === 'admin')
    ? execFileSync('bash', [join(ROOT, 'scripts', 'infra.sh'), 'env', 'ADMIN_CONSOLE_USERS'], { encoding: 'utf8' }).trim() : '';
  // The console's cancel dialog states booking's refund threshold (booking serves it only after a cancel): booking's own value.
  const bookingRefundThreshold = apps.find((a) => a.appID === 'booking')?.env.SHOW_CANCEL_REFUND_THRESHOLD;

  const shutdown = async (reason: string) => {
    if (stopping) {
      // A second Ctrl-C: no more waiting for graceful exits.
      killAll();
      process.exit(130);
    }
    stopping = true;
    console.log(`\nholdfast: stopping (${reason})...`);
    await stopAll();
    console.log('holdfast: all processes stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  // The terminal closed: our children run in their own groups and would not get its SIGHUP.
  process.on('SIGHUP', () => void shutdown('SIGHUP'));

  // The scheduler's embedded etcd keeps reminders and workflow timers here across restarts.
  const runDir = process.env.HOLDFAST_RUN_DIR ?? join(ROOT, '.data');
  mkdirSync(join(runDir, 'scheduler'), { recursive: true });
  const controlPlane = await startControlPlane(controlPlanePorts(process.env, apps), join(runDir, 'scheduler'), (name) => join(runDir, 'logs', `${name}.log`));

  const started: RunningProcess[] = [];
  const ready: Promise<void>[] = [];
  for (const app of apps) {
    // Each app and its sidecar share tokens of their own: no app's token opens another's sidecar.
    // The gateway's token is the client credential.
    const tokens = app.command ? runTokens(connections) : { daprApiToken: connections.CLIENT_API_TOKEN, appApiToken: '' };
    const sidecar = startSidecar({
      appId: app.appID, appPort: app.appPort, httpPort: app.daprHTTPPort, grpcPort: app.daprGRPCPort, internalGrpcPort: app.daprInternalGRPCPort, metricsPort: app.metricsPort,
      resourcesPath: app.resourcesPath ?? join(ROOT, 'components'), configFilePath: app.configFilePath, runDir,
      // A sidecar alone (the gateway) hosts no actors and needs neither placement nor scheduler.
      placementAddress: app.command ? controlPlane.placementAddress : undefined,
      schedulerAddress: app.command ? controlPlane.schedulerAddress : undefined,
      logLevel: app.logLevel, appHealthCheckPath: app.command && app.enableAppHealthCheck ? app.appHealthCheckPath : undefined,
      env: sidecarProcessEnv({ ...process.env, ...app.env }, connections, tokens, providersUrl, app.appID), output: 'inherit',
    });
    started.push(sidecar);
    if (!app.command || app.appPort === undefined) {
      ready.push(waitForSidecar(sidecar, app.daprHTTPPort, tokens.daprApiToken, 120_000));
      continue;
    }
    const [command, ...args] = app.command;
    const appPort = app.appPort;
    const appProcess = startProcess({
      name: app.appID, command: command!, args, cwd: app.appDirPath, output: 'inherit',
      env: appProcessEnv({
        ...process.env, ...app.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'info', ...(app.appID === 'admin' ? { ADMIN_CONSOLE_USERS: consoleUsers, ...(bookingRefundThreshold ? { SHOW_CANCEL_REFUND_THRESHOLD: bookingRefundThreshold } : {}) } : {}),
      }, connections, tokens, { ...app, appPort }, providersUrl, app.appID),
    });
    started.push(appProcess);
    // Fails at once if either process dies before it is ready, rather than after the timeout.
    ready.push(untilReady(appProcess, () => httpOk(`http://127.0.0.1:${appPort}/healthz`), 120_000)
      .then(() => waitForSidecar(sidecar, app.daprHTTPPort, tokens.daprApiToken, 120_000)));
  }
  for (const proc of started) {
    void proc.exited.then((code) => {
      if (!stopping) console.error(`holdfast: ${proc.name} exited (code ${code}); the rest keeps running, Ctrl-C stops all`);
    });
  }

  await Promise.all(ready);
  if (stopping) return;

  console.log('\nholdfast: the platform is up\n');
  console.log('  app            app URL                  sidecar HTTP             sidecar gRPC     metrics');
  for (const app of apps) {
    const appUrl = app.appPort === undefined ? '(no app)' : `http://127.0.0.1:${app.appPort}`;
    console.log(`  ${app.appID.padEnd(14)} ${appUrl.padEnd(24)} http://127.0.0.1:${String(app.daprHTTPPort).padEnd(8)} 127.0.0.1:${String(app.daprGRPCPort).padEnd(6)} http://127.0.0.1:${app.metricsPort}/metrics`);
  }
  console.log(`  placement      ${controlPlane.placementAddress}     scheduler ${controlPlane.schedulerAddress}     (logs: ${join(runDir, "logs")})`);
  const gateway = apps.find((a) => a.command === undefined);
  if (gateway) {
    console.log(`\n  Clients call the gateway, http://127.0.0.1:${gateway.daprHTTPPort} (gRPC 127.0.0.1:${gateway.daprGRPCPort}): service invocation only,`);
    console.log('  with the client credential in the header dapr-api-token. It is HOLDFAST_CLIENT_API_TOKEN in .data/local.env');
    console.log('  (or your own CLIENT_API_TOKEN). Each app\'s own sidecar takes only that app\'s token (docs/security.md). Example:');
    console.log(`    curl -H "dapr-api-token: $(sed -n s/^HOLDFAST_CLIENT_API_TOKEN=//p .data/local.env)" http://127.0.0.1:${gateway.daprHTTPPort}/v1.0/invoke/booking/method/api/shows`);
  }
  const adminConsole = apps.find((a) => a.appID === 'admin' && a.appPort !== undefined);
  if (adminConsole) {
    console.log(`\n  Admin console (admins and managers, in a browser): http://127.0.0.1:${adminConsole.appPort}`);
    if (consoleUsersGiven) console.log('  Sign in as one of the users of your ADMIN_CONSOLE_USERS.');
    else {
      console.log('  Sign in as admin (roles admin and manager); the password is HOLDFAST_ADMIN_CONSOLE_PASSWORD in .data/local.env:');
      console.log('    sed -n s/^HOLDFAST_ADMIN_CONSOLE_PASSWORD=//p .data/local.env');
    }
  }
  console.log('  Ctrl-C stops everything.\n');
}

main().catch(async (error) => {
  if (stopping) return;
  console.error(`holdfast: start failed: ${error instanceof Error ? error.message : String(error)}`);
  await stopAll();
  process.exit(1);
});
