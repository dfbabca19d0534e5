/**
 * Seed 002's retry policies and chaos mixes, as configured: the live V2 saga's ORDER_RETRY_POLICIES
 * (which the order-duration bound also uses), the frozen V1 workflow's POLICIES, and the providers
 * app's starting chaos (apps/providers/chaos.yaml). The behaviours they drive are proven in
 * tests/integration/fulfillment-saga.test.ts; this holds the numbers to the document's.
 */
import { join } from 'node:path';
import { retrySchedule } from '../../shared/src/workflow/retry-policy';
import { POLICIES } from '../../apps/fulfillment/src/workflow/order-fulfillment.workflow';
import { ORDER_RETRY_POLICIES } from '../../apps/fulfillment/src/domain/order-duration';
import { loadChaosFile } from '../../apps/providers/src/chaos-config';

describe.each([
  ['the live V2 saga (ORDER_RETRY_POLICIES)', ORDER_RETRY_POLICIES],
  ['the frozen V1 workflow (POLICIES)', POLICIES],
])('seed 002: retry policies of %s', (_name, policies) => {
  it('when a payment call keeps failing, then it is retried 3 times after 1 s, 2 s and 4 s', () => {
    expect(retrySchedule(policies.payment)).toEqual([1000, 2000, 4000]);
  });

  it('when an inventory call keeps failing, then it is retried 2 times; a shipping call 5 times (the most critical)', () => {
    expect(retrySchedule(policies.inventory)).toHaveLength(2);
    expect(retrySchedule(policies.shipping)).toHaveLength(5);
  });
});

describe('seed 002: chaos scenarios (the providers app\'s starting chaos)', () => {
  const { rules } = loadChaosFile(join(__dirname, '..', '..', 'apps', 'providers', 'chaos.yaml'));
  const mix = (name: string) => rules[name]?.outcomes;

  it('when the providers app starts, then each operation fails as the document\'s table says', () => {
    expect(mix('payment.authorize')).toEqual({ ok: 0.4, '402': 0.3, timeout: 0.2, '500': 0.1 });
    expect(mix('payment.capture')).toEqual({ ok: 0.7, '409': 0.2, '410': 0.1 });
    expect(mix('inventory.reserve')).toEqual({ ok: 0.5, '409': 0.3, timeout: 0.1, '500': 0.1 });
    expect(mix('shipping.create-label')).toEqual({ ok: 0.6, '400': 0.2, timeout: 0.1, '503': 0.1 });
    expect(mix('notification.send')).toEqual({ ok: 0.8, '503': 0.15, '400': 0.05 });
  });

  it('when a label is made, then it takes 20 s of work (the document\'s "20s total", with progress)', () => {
    expect(rules['shipping.create-label']?.workMs).toBe(20_000);
  });
});
