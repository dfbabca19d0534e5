import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHART_DAPR_DIR, renderedFiles } from '../../scripts/render-k8s-components';

describe('k8s/charts/holdfast/templates/dapr', () => {
  it('when components/ changes, then the Helm chart\'s templates are re-rendered (npm run k8s:render)', () => {
    for (const [file, content] of renderedFiles()) {
      expect(readFileSync(join(CHART_DAPR_DIR, file), 'utf8')).toBe(content);
    }
  });

  it('when the chart is rendered from components/, then its folder holds those templates and no other', () => {
    expect(readdirSync(CHART_DAPR_DIR).sort()).toEqual([...renderedFiles().keys()].sort());
  });
});

describe('accessControl in the rendered Configurations', () => {
  const configuration = (app: string) => {
    const found = [...renderedFiles()].find(([file]) => file === `config-${app}.yaml`);
    return found![1];
  };

  it.each(['booking', 'delivery', 'fulfillment'])('when %s is rendered, then both the gateway and the admin console have a deny-by-default policy of their own', (app) => {
    const text = configuration(app);
    expect(text).toMatch(/appId: gateway/);
    expect(text).toMatch(/appId: admin/);
    expect(text).toMatch(/defaultAction: deny/);
  });

  it('when booking is rendered, then the admin console may reach the admin routes it calls, each with its method, and no client route', () => {
    const admin = configuration('booking').split('appId: admin')[1]!;
    expect(admin).toContain('name: /api/admin/manual-reviews/*/resolve\n            httpVerb:\n              - POST');
    expect(admin).toContain('name: /api/shows/*/seats\n            httpVerb:\n              - GET');
    expect(admin).not.toContain('**');
    expect(admin).not.toContain('/holds');
  });

  it('when the console itself is rendered, then no app may invoke it', () => {
    expect(configuration('admin')).not.toMatch(/appId: (gateway|admin)\b/);
  });
});
