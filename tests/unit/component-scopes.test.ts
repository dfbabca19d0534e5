/**
 * Least privilege, checked against the code: each component is loaded by exactly the apps whose
 * code uses it, each sidecar holds exactly the secrets its components and its app read, and each
 * app's Configuration lets the secrets API answer exactly what its code reads through it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { COMPONENTS } from '@holdfast/shared';
import { ROOT, SIDECAR_SECRETS } from '../../scripts/devstack/env';
import { readRunFile } from '../../scripts/devstack/run-file';

type Resource = {
  kind: string; metadata: { name: string }; scopes?: string[];
  spec: { metadata?: Array<{ secretKeyRef?: { name: string } }>; secrets?: { scopes?: Array<{ storeName: string; defaultAccess?: string; allowedSecrets?: string[] }> }; api?: unknown };
};

const components = (dir = join(ROOT, 'components')) => readdirSync(dir).filter((f) => f.endsWith('.yaml')).map((f) => parse(readFileSync(join(dir, f), 'utf8')) as Resource);

/** Each app's source: its folder (the skeleton's is tests/skeleton), shared code it calls aside. */
const APP_SOURCES: Record<string, string> = {
  booking: 'apps/booking/src', fulfillment: 'apps/fulfillment/src', delivery: 'apps/delivery/src', providers: 'apps/providers/src', skeleton: 'tests/skeleton',
};

function sourceOf(dir: string): string {
  const full = join(ROOT, dir);
  return readdirSync(full).map((entry) => {
    const path = join(full, entry);
    if (statSync(path).isDirectory()) return sourceOf(join(dir, entry));
    return entry.endsWith('.ts') && !entry.endsWith('.test.ts') ? readFileSync(path, 'utf8') : '';
  }).join('\n');
}

/** The components an app's code uses: actors and workflows need the actor state store; the rest are named through COMPONENTS. */
function usedBy(appId: string): Set<string> {
  const code = sourceOf(APP_SOURCES[appId]!);
  const used = new Set<string>();
  if (/registerActor\(|new WorkflowRuntime\(/.test(code)) used.add(COMPONENTS.actorStateStore);
  for (const [key, name] of Object.entries(COMPONENTS)) {
    if (new RegExp(`COMPONENTS\\.${key}\\b`).test(code)) used.add(name);
  }
  // A binding's sidecar name passed as a literal would dodge the check above: none may be.
  for (const name of Object.values(COMPONENTS)) expect({ appId, literal: code.includes(`'${name}'`) }).toEqual({ appId, literal: false });
  return used;
}

const appIds = Object.keys(APP_SOURCES);

describe('component scopes follow the code', () => {
  const byName = new Map(components().filter((c) => c.kind === 'Component').map((c) => [c.metadata.name, c]));

  it('when a component is declared, then it names its apps in scopes', () => {
    for (const component of byName.values()) expect({ component: component.metadata.name, scoped: (component.scopes ?? []).length > 0 }).toEqual({ component: component.metadata.name, scoped: true });
  });

  it('when an app\'s code uses a component, then the component is in scope for it, and for no app that does not use it', () => {
    for (const [name, component] of byName) {
      if (name === COMPONENTS.secretStore) continue;
      const users = appIds.filter((app) => usedBy(app).has(name)).sort();
      expect({ component: name, scopes: [...(component.scopes ?? [])].sort() }).toEqual({ component: name, scopes: users });
    }
  });

  it('when an app loads a component with secrets, or reads one itself, then (and only then) the secret store is in its scope', () => {
    const needsStore = appIds.filter((app) => usedBy(app).has(COMPONENTS.secretStore)
      || [...byName.values()].some((c) => c.scopes?.includes(app) && c.spec.metadata?.some((m) => m.secretKeyRef))).sort();
    expect([...(byName.get(COMPONENTS.secretStore)!.scopes ?? [])].sort()).toEqual(needsStore);
  });

  it('when a sidecar starts, then it holds exactly the secrets of its components and of its Configuration\'s allowedSecrets', () => {
    const configs = new Map(components().filter((c) => c.kind === 'Configuration').map((c) => [c.metadata.name, c]));
    for (const app of [...appIds, 'gateway']) {
      const config = configs.get(`holdfast-${app}`);
      expect({ app, config: config !== undefined }).toEqual({ app, config: true });
      const store = config!.spec.secrets?.scopes?.find((s) => s.storeName === COMPONENTS.secretStore);
      expect({ app, defaultAccess: store?.defaultAccess }).toEqual({ app, defaultAccess: 'deny' });
      expect({ app, kubernetesStore: config!.spec.secrets?.scopes?.find((s) => s.storeName === 'kubernetes')?.defaultAccess }).toEqual({ app, kubernetesStore: 'deny' });
      const fromComponents = [...byName.values()].filter((c) => c.scopes?.includes(app)).flatMap((c) => (c.spec.metadata ?? []).flatMap((m) => (m.secretKeyRef ? [m.secretKeyRef.name] : [])));
      const expected = [...new Set([...fromComponents, ...(store?.allowedSecrets ?? [])])].sort();
      expect({ app, secrets: [...SIDECAR_SECRETS[app]!].sort() }).toEqual({ app, secrets: expected });
    }
  });

  it('when an app reads a secret through Dapr, then its Configuration allows that one secret and nothing else', () => {
    const configs = new Map(components().filter((c) => c.kind === 'Configuration').map((c) => [c.metadata.name, c]));
    for (const app of appIds) {
      const reads = [...sourceOf(APP_SOURCES[app]!).matchAll(/const \w*SECRET_KEY = '([A-Z_]+)'/g)].map((m) => m[1]!).sort();
      const allowed = configs.get(`holdfast-${app}`)!.spec.secrets!.scopes!.find((s) => s.storeName === COMPONENTS.secretStore)!.allowedSecrets ?? [];
      expect({ app, allowed: [...allowed].sort() }).toEqual({ app, allowed: reads });
    }
  });

  it('when dapr.yaml runs an app, then it runs it with its own Configuration; the gateway serves only service invocation', () => {
    for (const app of readRunFile(join(ROOT, 'dapr.yaml'))) {
      expect(app.configFilePath).toBe(join(ROOT, 'components', `config-${app.appID}.yaml`));
    }
    const gateway = components().find((c) => c.metadata.name === 'holdfast-gateway')!;
    expect(gateway.spec.api).toEqual({ allowed: [{ name: 'invoke', version: 'v1.0', protocol: 'http' }, { name: 'invoke', version: 'v1', protocol: 'grpc' }] });
  });
});
