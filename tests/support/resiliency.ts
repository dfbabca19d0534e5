/** Reads components/resiliency.yaml, so tests expect what the operator configured, not a copy of it. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { COMPONENTS } from '@holdfast/shared';
import { ROOT } from '../../scripts/devstack/env';

interface ResiliencyFile {
  spec: {
    policies: { retries: Record<string, { maxRetries: number; maxInterval?: string }>; circuitBreakers?: Record<string, { timeout: string }> };
    targets: { components: Record<string, { inbound?: { retry?: string }; outbound?: { retry?: string; circuitBreaker?: string } }> };
  };
}

/** The retry policy the YAML applies to `component` in `direction`. */
function retryPolicy(component: string, direction: 'inbound' | 'outbound'): { maxRetries: number; maxInterval?: string } {
  const file = parse(readFileSync(join(ROOT, 'components', 'resiliency.yaml'), 'utf8')) as ResiliencyFile;
  const policyName = file.spec.targets.components[component]?.[direction]?.retry;
  if (!policyName) throw new Error(`resiliency.yaml has no ${direction} retry policy for ${component}`);
  const policy = file.spec.policies.retries[policyName];
  if (!policy) throw new Error(`resiliency.yaml names retry policy ${policyName} but does not define it`);
  return policy;
}

/** maxRetries of the retry policy the YAML applies to `component` in `direction`. */
export function configuredMaxRetries(component: string, direction: 'inbound' | 'outbound'): number {
  return retryPolicy(component, direction).maxRetries;
}

/** A Go duration as Dapr's YAML writes it (500ms, 10s, 1m30s), in milliseconds. */
export function goDurationMs(text: string): number {
  const units: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
  let total = 0;
  const rest = text.replace(/(\d+(?:\.\d+)?)(ms|s|m|h)/g, (_, n: string, unit: string) => {
    total += Number(n) * units[unit]!;
    return '';
  });
  if (rest !== '' || text === '') throw new Error(`not a Go duration: ${text}`);
  return total;
}

/** How long the circuit breaker the YAML puts on `component`'s outbound calls stays open (its `timeout`), in ms. */
export function configuredBreakerTimeoutMs(component: string): number {
  const file = parse(readFileSync(join(ROOT, 'components', 'resiliency.yaml'), 'utf8')) as ResiliencyFile;
  const name = file.spec.targets.components[component]?.outbound?.circuitBreaker;
  if (!name) throw new Error(`resiliency.yaml has no outbound circuit breaker for ${component}`);
  const breaker = file.spec.policies.circuitBreakers?.[name];
  if (!breaker) throw new Error(`resiliency.yaml names circuit breaker ${name} but does not define it`);
  return goDurationMs(breaker.timeout);
}

/** maxInterval of the retry policy the YAML applies to `component` in `direction` (Dapr's default 60s when unset), in ms. */
export function configuredMaxIntervalMs(component: string, direction: 'inbound' | 'outbound'): number {
  return goDurationMs(retryPolicy(component, direction).maxInterval ?? '60s');
}

/**
 * How long to watch for a duplicate after a message was handled: longer than one more pub/sub
 * redelivery could wait (the inbound policy's maxInterval, +50 % jitter), with a second's slack.
 * "Still exactly one" after this window means no redelivery sent it again.
 */
export function redeliveryQuietMs(): number {
  return 1.5 * configuredMaxIntervalMs(COMPONENTS.pubsub, 'inbound') + 1_000;
}
