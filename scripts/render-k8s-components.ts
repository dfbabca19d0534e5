/**
 * components/ is the one source of Holdfast's Dapr resources. The Kubernetes copies in
 * k8s/base/components are rendered from it, so the two can differ only where a cluster must:
 * - the `secretstore` component is a secretstores.kubernetes store instead of local.env;
 * - a component's secretKeyRef reads a key of its own Kubernetes Secret, `holdfast-<component>`
 *   (holdfast-actorstate, holdfast-pubsub): no Secret holds more than one component's credentials;
 * - each app's Configuration gains Dapr's accessControl (mTLS identities, from Sentry): only the
 *   gateway may invoke the app, on its public routes, and the admin console, on exactly the routes
 *   and methods it calls, as shared/src/invocation-guard.ts enforces locally, where there is no mTLS.
 * - Configurations drop nameResolution: the local SQLite name registry is a file beside the sidecars.
 * envRef values come from the sidecar's environment (the dapr.io/env annotation in k8s/base/apps).
 *   npm run k8s:render          rewrite k8s/base/components
 *   npm run k8s:render -- --check   fail if they are out of date (tests/unit/k8s-components.test.ts)
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
// The apps' invocation lists and the guard's rule parser: files without heavy imports.
import { BOOKING_ADMIN_ROUTES } from '../apps/booking/src/http/invocation';
import { DELIVERY_ADMIN_ROUTES } from '../apps/delivery/src/http/invocation';
import { FULFILLMENT_ADMIN_ROUTES } from '../apps/fulfillment/src/http/invocation';
import { parseRouteRule } from '../shared/src/invocation-guard';
import { APP_IDS } from '../shared/src/dapr-names';

const ROOT = join(__dirname, '..');
const SOURCE = join(ROOT, 'components');
const TARGET = join(ROOT, 'k8s', 'base', 'components');
/** The Kubernetes Secret a component's secretKeyRef reads. */
export const k8sSecretOf = (component: string) => `holdfast-${component}`;

/** The Kubernetes Secret holding one secret an app reads through the secrets API, alone. */
export const k8sAppSecretOf = (appId: string, key: string) => `holdfast-${appId}-${key.toLowerCase().replace(/_/g, '-')}`;

/** The namespace Holdfast runs in (k8s/base/kustomization.yaml): accessControl names callers with it. */
export const K8S_NAMESPACE = 'holdfast';

/**
 * What the gateway may invoke on each app (the apps' invocablePaths in their main.ts); an app
 * missing here takes no invocation at all. `**` matches any depth in Dapr's operation names.
 */
export const K8S_INVOCABLE: Record<string, string[]> = {
  booking: ['/api/**', '/openapi.json', '/healthz', '/readyz'],
  fulfillment: ['/workflows', '/workflows/**', '/healthz', '/readyz'],
  delivery: ['/api/**', '/healthz', '/readyz'],
};

/**
 * What the admin console (APP_IDS.admin) may invoke on each app: exactly the routes it calls, each
 * with its method, read from the apps' own lists (the guard's local rules), so the two cannot part.
 */
export const K8S_ADMIN_INVOCABLE: Record<string, readonly string[]> = {
  booking: BOOKING_ADMIN_ROUTES,
  fulfillment: FULFILLMENT_ADMIN_ROUTES,
  delivery: DELIVERY_ADMIN_ROUTES,
};

/**
 * `METHOD /path/:param` rules as Dapr accessControl operations: `:param` becomes `*` (one
 * segment), and a path named by several rules is one operation with each method in httpVerb.
 */
export function adminOperations(rules: readonly string[]): Array<{ name: string; httpVerb: string[]; action: 'allow' }> {
  const byName = new Map<string, string[]>();
  for (const rule of rules) {
    const { method, segments } = parseRouteRule(rule);
    const name = `/${segments.map((s) => (s.startsWith(':') ? '*' : s)).join('/')}`;
    byName.set(name, [...(byName.get(name) ?? []), method]);
  }
  return [...byName].map(([name, httpVerb]) => ({ name, httpVerb, action: 'allow' as const }));
}

type Resource = { kind: string; metadata: { name: string }; spec: { type?: string; metadata?: Array<Record<string, unknown>>; [key: string]: unknown } };

function accessControlFor(appId: string) {
  return {
    defaultAction: 'deny',
    trustDomain: 'public',
    policies: [
      ...(K8S_INVOCABLE[appId] ? [{ appId: 'gateway', operations: K8S_INVOCABLE[appId].map((name) => ({ name, httpVerb: ['*'], action: 'allow' })) }] : []),
      ...(K8S_ADMIN_INVOCABLE[appId] ? [{ appId: APP_IDS.admin, operations: adminOperations(K8S_ADMIN_INVOCABLE[appId]) }] : []),
    ].map(({ appId: caller, operations }) => ({ appId: caller, defaultAction: 'deny', trustDomain: 'public', namespace: K8S_NAMESPACE, operations })),
  };
}

export function renderForKubernetes(resource: Resource): Resource {
  const copy = structuredClone(resource);
  if (copy.kind === 'Configuration') {
    const appId = copy.metadata.name.replace(/^holdfast-/, '');
    if (appId !== 'gateway') copy.spec.accessControl = accessControlFor(appId);
    // The local SQLite name registry is a file beside the sidecars; a cluster resolves app ids by its DNS.
    delete copy.spec.nameResolution;
    // In a cluster the secrets API names a Kubernetes Secret, not a key: each allowed secret lives
    // alone in its own Secret, `holdfast-<app>-<key in kebab case>` (k8s/README.md).
    const scopes = (copy.spec.secrets as { scopes?: Array<{ allowedSecrets?: string[] }> } | undefined)?.scopes ?? [];
    for (const scope of scopes) {
      if (scope.allowedSecrets) scope.allowedSecrets = scope.allowedSecrets.map((key) => k8sAppSecretOf(appId, key));
    }
    return copy;
  }
  if (copy.kind === 'Component' && copy.spec.type?.startsWith('secretstores.')) {
    copy.spec = { type: 'secretstores.kubernetes', version: 'v1', metadata: [] } as Resource['spec'];
    return copy;
  }
  for (const item of copy.spec.metadata ?? []) {
    const ref = item.secretKeyRef as { name: string; key: string } | undefined;
    if (ref) item.secretKeyRef = { name: k8sSecretOf(copy.metadata.name), key: ref.key };
  }
  return copy;
}

export function renderedFiles(): Map<string, string> {
  const files = new Map<string, string>();
  // The skeleton is the integration tests' app: it never runs in a cluster.
  for (const file of readdirSync(SOURCE).filter((f) => f.endsWith('.yaml') && f !== 'config-skeleton.yaml').sort()) {
    const resource = parse(readFileSync(join(SOURCE, file), 'utf8')) as Resource;
    const header = `# Rendered from components/${file} by scripts/render-k8s-components.ts: edit that file, then npm run k8s:render.\n`;
    files.set(file, header + stringify(renderForKubernetes(resource), { lineWidth: 0 }));
  }
  return files;
}

if (require.main === module) {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const [file, content] of renderedFiles()) {
    const path = join(TARGET, file);
    let current = '';
    try {
      current = readFileSync(path, 'utf8');
    } catch {
      // new file
    }
    if (current === content) continue;
    if (check) {
      console.error(`k8s/base/components/${file} is out of date: npm run k8s:render`);
      stale++;
    } else {
      writeFileSync(path, content);
      console.log(`rendered k8s/base/components/${file}`);
    }
  }
  process.exit(stale ? 1 : 0);
}
