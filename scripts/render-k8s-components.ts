/**
 * components/ is the one source of Holdfast's Dapr resources. The Kubernetes copies in
 * k8s/base/components are rendered from it, so the two can differ only where a cluster must:
 * - the `secretstore` component is a secretstores.kubernetes store instead of local.env;
 * - every secretKeyRef reads a key of the Kubernetes Secret `holdfast-secrets`.
 * envRef values come from the sidecar's environment (the dapr.io/env annotation in k8s/base/apps).
 *   npm run k8s:render          rewrite k8s/base/components
 *   npm run k8s:render -- --check   fail if they are out of date (tests/unit/k8s-components.test.ts)
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';

const ROOT = join(__dirname, '..');
const SOURCE = join(ROOT, 'components');
const TARGET = join(ROOT, 'k8s', 'base', 'components');
export const K8S_SECRET_NAME = 'holdfast-secrets';

type Resource = { kind: string; metadata: { name: string }; spec: { type?: string; metadata?: Array<Record<string, unknown>> } };

export function renderForKubernetes(resource: Resource): Resource {
  const copy = structuredClone(resource);
  if (copy.kind === 'Component' && copy.spec.type?.startsWith('secretstores.')) {
    copy.spec = { type: 'secretstores.kubernetes', version: 'v1', metadata: [] } as Resource['spec'];
    return copy;
  }
  for (const item of copy.spec.metadata ?? []) {
    const ref = item.secretKeyRef as { name: string; key: string } | undefined;
    if (ref) item.secretKeyRef = { name: K8S_SECRET_NAME, key: ref.key };
  }
  return copy;
}

export function renderedFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const file of readdirSync(SOURCE).filter((f) => f.endsWith('.yaml')).sort()) {
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
