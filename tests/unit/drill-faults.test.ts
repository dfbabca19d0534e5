/** The fault drill's schedule (drill/faults.ts): seeded, replayable, spread over the run, every kind drawn. */
import { describeFault, planFaults, type FaultPlanOptions } from '../../drill/faults';

const options = (overrides: Partial<FaultPlanOptions> = {}): FaultPlanOptions => ({
  seed: '42', durationMs: 180_000, faults: 10, apps: ['booking', 'fulfillment', 'delivery', 'gateway'], sidecarOnly: ['gateway'],
  providers: ['payment', 'email', 'sms', 'refund', 'shipping', 'inventory'], ...overrides,
});

describe('the drill\'s fault schedule', () => {
  it('when planned twice with one seed, then the schedule is the same; with another seed, it differs', () => {
    expect(planFaults(options())).toEqual(planFaults(options()));
    expect(planFaults(options({ seed: '43' }))).not.toEqual(planFaults(options()));
  });

  it('when planned, then it holds the asked number of faults, in order, between 10 % and 85 % of the run, one per slot', () => {
    const faults = planFaults(options());
    expect(faults).toHaveLength(10);
    const times = faults.map((f) => f.atMs);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(Math.min(...times)).toBeGreaterThanOrEqual(18_000);
    expect(Math.max(...times)).toBeLessThanOrEqual(153_000);
    // Slots of (153 - 18) / 10 = 13.5 s: fault i falls inside slot i.
    faults.forEach((f, i) => expect(Math.floor((f.atMs - 18_000) / 13_500)).toBe(i));
  });

  it('when many faults are drawn, then every type and every process is hit, stalls last 5-30 s, and sidecar-only apps never lose an app', () => {
    const faults = planFaults(options({ faults: 2_000, durationMs: 10_000_000 }));
    expect(new Set(faults.map((f) => f.type))).toEqual(new Set(['kill', 'stall', 'restart', 'provider-outage']));
    const hit = new Set(faults.flatMap((f) => ('target' in f ? [JSON.stringify(f.target)] : [])));
    for (const target of [{ kind: 'app', appId: 'booking' }, { kind: 'sidecar', appId: 'gateway' }, { kind: 'placement' }, { kind: 'scheduler' }, { kind: 'redis' }, { kind: 'postgres', mode: 'immediate' }, { kind: 'postgres', mode: 'fast' }]) {
      expect(hit).toContain(JSON.stringify(target));
    }
    expect(hit).not.toContain(JSON.stringify({ kind: 'app', appId: 'gateway' }));
    // Redis and PostgreSQL are restarted or stalled, never SIGKILLed.
    expect(faults.filter((f) => f.type === 'kill' && ['redis', 'postgres'].includes(f.target.kind))).toEqual([]);
    for (const f of faults) if (f.type === 'stall') expect(f.forMs >= 5_000 && f.forMs <= 30_000).toBe(true);
    expect(new Set(faults.flatMap((f) => (f.type === 'provider-outage' ? [f.provider] : [])))).toEqual(new Set(options().providers));
  });

  it('when there are no providers to silence, then no provider outage is drawn', () => {
    expect(planFaults(options({ providers: [], faults: 500 })).filter((f) => f.type === 'provider-outage')).toEqual([]);
  });

  it('when printed, then each fault is one line saying when, what and to whom', () => {
    expect(describeFault({ atMs: 12_345, type: 'kill', target: { kind: 'sidecar', appId: 'delivery' } })).toBe('   12.3 s  kill -9 and restart daprd of delivery');
    expect(describeFault({ atMs: 90_000, type: 'stall', target: { kind: 'scheduler' }, forMs: 7_500 })).toBe('   90.0 s  SIGSTOP scheduler for 7.5 s');
    expect(describeFault({ atMs: 1_000, type: 'restart', target: { kind: 'postgres', mode: 'immediate' } })).toBe('    1.0 s  restart postgres (immediate)');
    expect(describeFault({ atMs: 5_000, type: 'provider-outage', provider: 'email', forMs: 20_000 })).toBe('    5.0 s  provider email stops answering for 20.0 s');
  });

  it('when the count is not a whole number, then planning refuses it', () => {
    expect(() => planFaults(options({ faults: 2.5 }))).toThrow(/whole number/);
  });
});
