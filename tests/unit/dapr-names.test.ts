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

  it('when code names a component, then the Kubernetes base defines it too, under the same name', () => {
    expect(resourceNames(join(ROOT, 'k8s', 'base', 'components'), 'Component').sort()).toEqual(Object.values(COMPONENTS).sort());
  });

  it('when dapr.yaml runs an app, then its app-id is one the code knows and its folder is apps/<app-id>', () => {
    for (const app of readRunFile(join(ROOT, 'dapr.yaml'))) {
      expect(Object.values(APP_IDS)).toContain(app.appID);
      expect(app.appDirPath).toBe(join(ROOT, 'apps', app.appID));
    }
  });
});
