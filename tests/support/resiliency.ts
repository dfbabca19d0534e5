/** Reads components/resiliency.yaml, so tests expect what the operator configured, not a copy of it. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT } from '../../scripts/devstack/env';

interface ResiliencyFile {
  spec: {
    policies: { retries: Record<string, { maxRetries: number }> };
    targets: { components: Record<string, { inbound?: { retry?: string }; outbound?: { retry?: string } }> };
  };
}

/** maxRetries of the retry policy the YAML applies to `component` in `direction`. */
export function configuredMaxRetries(component: string, direction: 'inbound' | 'outbound'): number {
  const file = parse(readFileSync(join(ROOT, 'components', 'resiliency.yaml'), 'utf8')) as ResiliencyFile;
  const policyName = file.spec.targets.components[component]?.[direction]?.retry;
  if (!policyName) throw new Error(`resiliency.yaml has no ${direction} retry policy for ${component}`);
  const policy = file.spec.policies.retries[policyName];
  if (!policy) throw new Error(`resiliency.yaml names retry policy ${policyName} but does not define it`);
  return policy.maxRetries;
}
