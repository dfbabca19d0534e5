import { ACTOR_NAME_PATTERN, ADMIN_CONSOLE_CALLER, appInvocationPolicy, callerPaths, headerActor, invocationCallers, invocationVerdict, isActorName } from './invocation-guard';

describe('invocationVerdict', () => {
  const listed = { self: 'booking', callers: ['gateway'], paths: ['/api/', '/openapi.json'] };

  it('when a listed caller invokes a public path, allow; another path, path; another caller or a forged pair, caller', () => {
    expect(invocationVerdict(listed, 'gateway', '/api/shows')).toBe('allow');
    expect(invocationVerdict(listed, 'gateway', '/openapi.json')).toBe('allow');
    expect(invocationVerdict(listed, 'gateway', '/actors/HoldActor/x/method/confirm')).toBe('path');
    expect(invocationVerdict(listed, 'providers', '/api/shows')).toBe('caller');
    expect(invocationVerdict(listed, 'gateway, booking', '/api/shows')).toBe('caller');
    expect(invocationVerdict(listed, 'booking', '/actors/HoldActor/x/method/confirm')).toBe('allow');
  });

  it('when a prefix has no trailing slash, then only that path and below, not a longer name', () => {
    const policy = { self: 'fulfillment', callers: ['gateway'], paths: ['/workflows'] };
    expect(invocationVerdict(policy, 'gateway', '/workflows')).toBe('allow');
    expect(invocationVerdict(policy, 'gateway', '/workflows/o-1/status')).toBe('allow');
    expect(invocationVerdict(policy, 'gateway', '/workflowsX')).toBe('path');
  });

  describe('per caller', () => {
    const policy = appInvocationPolicy('booking', ['gateway'], ['/api/', '/openapi.json'], ['/api/shows', '/api/admin/']);

    it('when the console invokes an admin route or the shows, allow; a client route the gateway reaches, path', () => {
      expect(invocationVerdict(policy, 'admin', '/api/admin/manual-reviews')).toBe('allow');
      expect(invocationVerdict(policy, 'admin', '/api/admin/timeline/bookings/b-1')).toBe('allow');
      expect(invocationVerdict(policy, 'admin', '/api/shows/s-1/seats')).toBe('allow');
      expect(invocationVerdict(policy, 'admin', '/api/holds/h-1/confirm')).toBe('path');
      expect(invocationVerdict(policy, 'admin', '/openapi.json')).toBe('path');
      expect(invocationVerdict(policy, 'admin', '/actors/HoldActor/x/method/confirm')).toBe('path');
    });

    it('when the gateway invokes, its paths are unchanged; a forged admin beside the gateway is refused', () => {
      expect(invocationVerdict(policy, 'gateway', '/api/holds/h-1/confirm')).toBe('allow');
      expect(invocationVerdict(policy, 'gateway', '/api/admin/manual-reviews')).toBe('allow');
      expect(invocationVerdict(policy, 'gateway, admin', '/api/admin/manual-reviews')).toBe('caller');
      expect(invocationVerdict(policy, 'admin, gateway', '/api/holds/h-1')).toBe('caller');
    });

    it('when an app names no admin paths, then the console may not invoke it at all', () => {
      const none = appInvocationPolicy('providers', ['gateway'], ['/api/']);
      expect(invocationVerdict(none, 'admin', '/api/x')).toBe('caller');
      expect(callerPaths(none, ADMIN_CONSOLE_CALLER)).toBeUndefined();
      expect(invocationVerdict(none, 'admin', '/healthz')).toBe('allow');
    });

    it('when INVOCATION_CALLERS also lists admin, then it reaches both lists; a second client gateway gets the public paths', () => {
      const both = appInvocationPolicy('booking', invocationCallers('gateway,gateway-boxoffice,admin'), ['/api/'], ['/api/admin/']);
      expect(callerPaths(both, 'admin')).toEqual(['/api/', '/api/admin/']);
      expect(invocationVerdict(both, 'gateway-boxoffice', '/api/holds/h-1')).toBe('allow');
    });

    it('when a caller name is an Object prototype key, then it is no caller', () => {
      expect(invocationVerdict(policy, 'constructor', '/api/shows')).toBe('caller');
      expect(invocationVerdict(policy, '__proto__', '/api/shows')).toBe('caller');
    });
  });

  it('invocationCallers defaults to the gateway (the console is let in by the apps\' admin paths, without configuration)', () => {
    expect(invocationCallers(undefined)).toEqual(['gateway']);
  });
});

describe('the console\'s actor name', () => {
  it('when a name is ASCII letters, digits, inner spaces and _ . @ + \' -, up to 100, then it is one; else not (an accented letter too: not every hop carries it in a header)', () => {
    for (const name of ['Alice Admin', 'a', "o'brien", 'ops@example.com', 'x'.repeat(100)]) expect([name, isActorName(name)]).toEqual([name, true]);
    for (const name of ['', ' a', 'a ', 'bad\tname', '<script>', '1/0', 'x'.repeat(101), 'a\nb', 'José', '×ø\u009b']) expect([name, isActorName(name)]).toEqual([name, false]);
  });

  it('when the header is absent, undefined; a name, that name; anything else, 400 ACTOR_INVALID', () => {
    const req = (value?: string) => ({ header: (n: string) => (n === 'x-holdfast-actor' ? value : undefined) });
    expect(headerActor(req())).toBeUndefined();
    expect(headerActor(req('Alice Admin'))).toBe('Alice Admin');
    expect(() => headerActor(req('<b>'))).toThrow(expect.objectContaining({ status: 400, code: 'ACTOR_INVALID' }));
  });

  it('when the pattern is read without the u flag (a JSON Schema validator), then it says the same', () => {
    const plain = new RegExp(ACTOR_NAME_PATTERN);
    for (const name of ['José', 'a b', ' a', '<x>', 'ops@example.com']) expect([name, plain.test(name)]).toEqual([name, isActorName(name)]);
  });
});
