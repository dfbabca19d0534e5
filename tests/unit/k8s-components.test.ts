import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderedFiles } from '../../scripts/render-k8s-components';
import { ROOT } from '../../scripts/devstack/env';

describe('k8s/base/components', () => {
  it('when components/ changes, then the Kubernetes copies are re-rendered (npm run k8s:render)', () => {
    for (const [file, content] of renderedFiles()) {
      expect(readFileSync(join(ROOT, 'k8s', 'base', 'components', file), 'utf8')).toBe(content);
    }
  });
});
