/** Every Dapr name in shared/src/dapr-names.ts exists where Dapr looks for it, locally and in k8s/. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { APP_IDS, COMPONENTS } from '@holdfast/shared';
import { readRunFile } from '../../scripts/devstack/run-file';
import { ROOT } from '../../scripts/devstack/env';

function resourceNames(dir: string, kind: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.yaml')).flatMap((f) =>
    parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => d.toJS()).filter((d) => d?.kind === kind).map((d) => d.metadata.name as string));
}

describe('Dapr names', () => {
  it('when code names a component, then components/ defines it', () => {
    expect(resourceNames(join(ROOT, 'components'), 'Component').sort()).toEqual(Object.values(COMPONENTS).sort());
  });

  it('when code names a component, then the Helm chart defines it too, under the same name', () => {
    // The chart's Dapr templates (rendered from components/) hold Helm expressions: read their heads.
    const dir = join(ROOT, 'k8s', 'charts', 'holdfast', 'templates', 'dapr');
    const names = readdirSync(dir).flatMap((f) => [...readFileSync(join(dir, f), 'utf8').matchAll(/^kind: Component\nmetadata:\n {2}name: ([\w-]+)$/gm)].map((m) => m[1]));
    expect(names.sort()).toEqual(Object.values(COMPONENTS).sort());
  });

  it('when dapr.yaml runs an app, then its app-id is one the code knows and its folder is apps/<app-id>', () => {
    for (const app of readRunFile(join(ROOT, 'dapr.yaml'))) {
      expect(Object.values(APP_IDS)).toContain(app.appID);
      expect(app.appDirPath).toBe(join(ROOT, 'apps', app.appID));
    }
  });
});
