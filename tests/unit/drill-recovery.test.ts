/** The fault drill's recovery times (drill/recovery.ts): from each fault to the first success of a flow it affects. */
import { affectedFlows, faultKind, percentile, recoveries, recoveryTable } from '../../drill/recovery';
import type { Fault } from '../../drill/faults';

const killDelivery: Fault = { atMs: 10_000, type: 'kill', target: { kind: 'app', appId: 'delivery' } };
const stallPostgres: Fault = { atMs: 30_000, type: 'stall', target: { kind: 'postgres' }, forMs: 8_000 };
const emailOutage: Fault = { atMs: 50_000, type: 'provider-outage', provider: 'email', forMs: 5_000 };

describe('recovery times of the drill', () => {
  it('when a fault is named, then by what it did to which process', () => {
    expect([killDelivery, stallPostgres, emailOutage].map(faultKind)).toEqual(['kill app', 'stall postgres', 'provider outage']);
    expect(faultKind({ atMs: 0, type: 'kill', target: { kind: 'sidecar', appId: 'booking' } })).toBe('kill daprd');
    expect(faultKind({ atMs: 0, type: 'restart', target: { kind: 'postgres', mode: 'immediate' } })).toBe('restart postgres (immediate)');
  });

  it('when a fault hits one app, a server or a provider, then the flows it affects are the ones that need it', () => {
    expect(affectedFlows(killDelivery)).toEqual(['email', 'sms', 'refund']);
    expect(affectedFlows({ atMs: 0, type: 'kill', target: { kind: 'sidecar', appId: 'booking' } })).toEqual(['hold', 'confirm', 'cancel']);
    expect(affectedFlows({ atMs: 0, type: 'kill', target: { kind: 'sidecar', appId: 'gateway' } })).toHaveLength(7);
    expect(affectedFlows({ atMs: 0, type: 'restart', target: { kind: 'redis' } })).toEqual(['email', 'sms', 'refund']);
    expect(affectedFlows(emailOutage)).toEqual(['email']);
    expect(affectedFlows({ atMs: 0, type: 'provider-outage', provider: 'payment', forMs: 1 })).toEqual(['confirm', 'cancel', 'order']);
    expect(affectedFlows(stallPostgres)).toHaveLength(7);
  });

  it('when flows succeed again after faults, then each fault recovers at the first success at or after its end, counted from its start', () => {
    const list = recoveries([killDelivery, stallPostgres, emailOutage], {
      // A hold at 12 s says nothing of the delivery app; the email at 14.5 s does.
      hold: [12_000, 39_000], email: [9_000, 14_500, 56_000], confirm: [38_500],
    });
    expect(list.map((r) => [r.kind, r.recoveredAfterMs])).toEqual([['kill app', 4_500], ['stall postgres', 8_500], ['provider outage', 6_000]]);
  });

  it('when no affected flow succeeds again, then the fault is listed as not recovered', () => {
    expect(recoveries([killDelivery], { hold: [20_000] })[0]!.recoveredAfterMs).toBeNull();
  });

  it('when tabled, then one row per kind with its count, recovered count, p50 and p99', () => {
    const kill2: Fault = { ...killDelivery, atMs: 100_000 };
    const table = recoveryTable(recoveries([killDelivery, kill2, stallPostgres], { email: [11_000, 130_000], hold: [38_000] }));
    expect(table).toEqual([
      { kind: 'kill app', faults: 2, recovered: 2, p50Ms: 1_000, p99Ms: 30_000 },
      { kind: 'stall postgres', faults: 1, recovered: 1, p50Ms: 8_000, p99Ms: 8_000 },
    ]);
  });

  it('when percentiles are taken, then by nearest rank', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([5, 1, 3], 50)).toBe(3);
    expect(percentile(Array.from({ length: 100 }, (_, i) => i + 1), 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
  });
});
