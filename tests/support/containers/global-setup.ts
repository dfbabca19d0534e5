/**
 * Once per run of the `containers` project: a Docker engine (scripts/docker-engine.sh), the images
 * (scripts/images.sh: cached, seconds when nothing changed), helm (scripts/k8s/tools.sh), the
 * values the tier adds to the chart's defaults, and no container left from a crashed run. The chart
 * is rendered and translated once here, so a chart the tier cannot run fails before any test.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ROOT } from '../../../scripts/devstack/env';
import { LOG_DIR, planTier, removeTierContainers, renderChart, saveSetup, TIER_DIR, type TierSetup } from './tier';

const bash = (script: string, ...args: string[]) => execFileSync('bash', [join(ROOT, script), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  // Ryuk (testcontainers' reaper) is an image from a registry we cannot reach: the tier removes its own containers.
  process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
  rmSync(LOG_DIR, { recursive: true, force: true });
  mkdirSync(LOG_DIR, { recursive: true });
  mkdirSync(TIER_DIR, { recursive: true, mode: 0o700 });

  process.stdout.write(`\ncontainers: ${bash('scripts/docker-engine.sh').trim()}\n`);
  // Builds what changed (the first build takes minutes: docs/container-tier.md); its summary goes to our log.
  writeFileSync(join(LOG_DIR, 'images.log'), bash('scripts/images.sh'));
  const labels = JSON.parse(execFileSync('docker', ['image', 'inspect', '-f', '{{json .Config.Labels}}', 'holdfast/app:dev'], { encoding: 'utf8' })) as Record<string, string>;
  // images.sh tags holdfast/app and holdfast/migrate <version>-<revision>: the build it just made.
  const imageTag = `${labels['org.opencontainers.image.version']}-${labels['org.opencontainers.image.revision']}`;
  const helm = bash('scripts/k8s/tools.sh', 'path', 'helm').trim().split('\n').pop()!;

  // The console needs a user (the chart never generates one): a throwaway one, its password discarded.
  const adminConsoleUsers = execFileSync(process.execPath, [join(ROOT, 'scripts', 'admin-user-hash.mjs'), 'tier-admin', 'admin+manager'], { input: randomBytes(18).toString('base64url'), encoding: 'utf8' }).trim();
  const valuesFile = join(TIER_DIR, 'values-tier.yaml');
  writeFileSync(valuesFile, stringify({
    image: { tag: imageTag }, secrets: { values: { adminConsoleUsers } },
    // The simulated providers start calm, as in the integration tier: a test pins the outcomes it needs (PUT /admin/chaos).
    providers: { env: { PROVIDERS_CHAOS_FILE: '/app/apps/providers/chaos.calm.yaml' } },
  }), { mode: 0o600 });
  const setup: TierSetup = { imageTag, helm, valuesFile };
  saveSetup(setup);

  const rendered = renderChart(setup);
  writeFileSync(join(TIER_DIR, 'rendered.yaml'), rendered, { mode: 0o600 });
  planTier(rendered);
  const removed = await removeTierContainers();
  process.stdout.write(`containers: images holdfast/app:${imageTag}, chart rendered${removed ? `, ${removed} leftover container(s) removed` : ''} (${Math.round((Date.now() - started) / 1000)} s; logs in ${LOG_DIR})\n`);
}
