import { ACTOR_NAME_PATTERN, ADMIN_CONSOLE_CALLER, appInvocationPolicy, callerAccess, headerActor, invocationCallers, invocationVerdict, isActorName, parseRouteRule, routeMatches } from './invocation-guard';
import { BOOKING_ADMIN_ROUTES, BOOKING_INVOCABLE_PATHS } from '../../apps/booking/src/http/invocation';
import { DELIVERY_ADMIN_ROUTES, DELIVERY_INVOCABLE_PATHS } from '../../apps/delivery/src/http/invocation';
import { FULFILLMENT_ADMIN_ROUTES, FULFILLMENT_INVOCABLE_PATHS } from '../../apps/fulfillment/src/http/invocation';

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
    const policy = appInvocationPolicy('booking', ['gateway'], ['/api/', '/openapi.json'], [
      'GET /api/shows', 'GET /api/shows/:showId', 'GET /api/shows/:showId/seats', 'POST /api/admin/shows/:showId/cancel', 'GET /api/admin/manual-reviews', 'GET /api/admin/timeline/bookings/:bookingId',
    ]);

    it('when the console invokes a route it is given with its method, allow; the same path with another method, or any other route, path', () => {
      expect(invocationVerdict(policy, 'admin', '/api/admin/manual-reviews', 'GET')).toBe('allow');
      expect(invocationVerdict(policy, 'admin', '/api/admin/timeline/bookings/b-1', 'GET')).toBe('allow');
      expect(invocationVerdict(policy, 'admin', '/api/shows/s-1/seats', 'GET')).toBe('allow');
      expect(invocationVerdict(policy, 'admin', '/api/shows', 'GET')).toBe('allow');
      expect(invocationVerdict(policy, 'admin', '/api/admin/shows/s-1/cancel', 'POST')).toBe('allow');
      expect(invocationVerdict(policy, 'admin', '/api/admin/shows/s-1/cancel', 'GET')).toBe('path');
      expect(invocationVerdict(policy, 'admin', '/api/shows/s-1/holds', 'POST')).toBe('path');
      expect(invocationVerdict(policy, 'admin', '/api/shows', 'POST')).toBe('path');
      expect(invocationVerdict(policy, 'admin', '/api/holds/h-1/confirm', 'POST')).toBe('path');
      expect(invocationVerdict(policy, 'admin', '/api/admin/manual-reviews/r-1/resolve', 'POST')).toBe('path');
      expect(invocationVerdict(policy, 'admin', '/openapi.json', 'GET')).toBe('path');
      expect(invocationVerdict(policy, 'admin', '/actors/HoldActor/x/method/confirm', 'PUT')).toBe('path');
    });

    it('when a path differs from a route by a segment (empty, one more, a trailing slash), then it is not that route; without a method no route matches', () => {
      expect(invocationVerdict(policy, 'admin', '/api/shows//seats', 'GET')).toBe('path');
      expect(invocationVerdict(policy, 'admin', '/api/shows/s-1/seats/x', 'GET')).toBe('path');
      expect(invocationVerdict(policy, 'admin', '/api/shows/', 'GET')).toBe('path');
      expect(invocationVerdict(policy, 'admin', '/api/showsX', 'GET')).toBe('path');
      expect(invocationVerdict(policy, 'admin', '/api/shows/s-1/seats')).toBe('path');
    });

    it('when the console calls fulfillment, then it may read and decide orders but not place or pay one', () => {
      const fulfillment = appInvocationPolicy('fulfillment', ['gateway'], ['/workflows'], ['GET /workflows', 'GET /workflows/:id/status', 'POST /workflows/:id/approve', 'POST /workflows/:id/reject', 'POST /workflows/:id/cancel']);
      expect(invocationVerdict(fulfillment, 'admin', '/workflows', 'GET')).toBe('allow');
      expect(invocationVerdict(fulfillment, 'admin', '/workflows/o-1/approve', 'POST')).toBe('allow');
      expect(invocationVerdict(fulfillment, 'admin', '/workflows/order', 'POST')).toBe('path');
      expect(invocationVerdict(fulfillment, 'admin', '/workflows/o-1/pay', 'POST')).toBe('path');
      expect(invocationVerdict(fulfillment, 'gateway', '/workflows/order', 'POST')).toBe('allow');
    });

    it('when the gateway invokes, its prefixes are unchanged; a forged admin beside the gateway is refused', () => {
      expect(invocationVerdict(policy, 'gateway', '/api/holds/h-1/confirm', 'POST')).toBe('allow');
      expect(invocationVerdict(policy, 'gateway', '/api/admin/manual-reviews', 'GET')).toBe('allow');
      expect(invocationVerdict(policy, 'gateway, admin', '/api/admin/manual-reviews', 'GET')).toBe('caller');
      expect(invocationVerdict(policy, 'admin, gateway', '/api/holds/h-1', 'GET')).toBe('caller');
    });

    it('when an app names no admin routes, then the console may not invoke it at all', () => {
      const none = appInvocationPolicy('providers', ['gateway'], ['/api/']);
      expect(invocationVerdict(none, 'admin', '/api/x', 'GET')).toBe('caller');
      expect(callerAccess(none, ADMIN_CONSOLE_CALLER)).toBeUndefined();
      expect(invocationVerdict(none, 'admin', '/healthz', 'GET')).toBe('allow');
    });

    it('when INVOCATION_CALLERS also lists admin, then it reaches both lists; a second client gateway gets the public paths', () => {
      const both = appInvocationPolicy('booking', invocationCallers('gateway,gateway-boxoffice,admin'), ['/api/'], ['GET /api/admin/webhooks']);
      expect(callerAccess(both, 'admin')).toEqual({ prefixes: ['/api/'], routes: ['GET /api/admin/webhooks'] });
      expect(invocationVerdict(both, 'gateway-boxoffice', '/api/holds/h-1', 'GET')).toBe('allow');
    });

    it('when a caller name is an Object prototype key, then it is no caller', () => {
      expect(invocationVerdict(policy, 'constructor', '/api/shows', 'GET')).toBe('caller');
      expect(invocationVerdict(policy, '__proto__', '/api/shows', 'GET')).toBe('caller');
    });

    it('when a rule is not METHOD /path, then the policy is refused at start', () => {
      for (const rule of ['/api/shows', 'get /api/shows', 'GET api/shows', 'GET /api/shows/', 'GET /api/*', 'GET /api/:']) {
        expect(() => appInvocationPolicy('booking', ['gateway'], ['/api/'], [rule])).toThrow(/is not "METHOD/);
      }
      expect(parseRouteRule('POST /workflows/:id/approve')).toEqual({ method: 'POST', segments: ['workflows', ':id', 'approve'] });
      expect(routeMatches('GET /a/:id', 'get', '/a/1')).toBe(true);
    });
  });

  describe('the apps\' console lists', () => {
    const apps = [
      appInvocationPolicy('booking', ['gateway'], BOOKING_INVOCABLE_PATHS, BOOKING_ADMIN_ROUTES),
      appInvocationPolicy('fulfillment', ['gateway'], FULFILLMENT_INVOCABLE_PATHS, FULFILLMENT_ADMIN_ROUTES),
      appInvocationPolicy('delivery', ['gateway'], DELIVERY_INVOCABLE_PATHS, DELIVERY_ADMIN_ROUTES),
    ] as const;
    const [booking, fulfillment, delivery] = apps;

    it('when the console calls what its sections call, then each is allowed', () => {
      for (const [policy, method, path] of [
        [booking, 'GET', '/api/shows/0b9d2f4e-1d7c-4b8e-9d43-8e1f2a3b4c5d/seats'], [booking, 'POST', '/api/admin/shows'], [booking, 'POST', '/api/admin/manual-reviews/r-1/resolve'],
        [booking, 'GET', '/api/admin/webhooks'], [booking, 'GET', '/api/admin/timeline/search'],
        [fulfillment, 'GET', '/workflows'], [fulfillment, 'POST', '/workflows/o-1/reject'], [fulfillment, 'GET', '/api/admin/timeline/orders/o-1'],
        [delivery, 'GET', '/api/monitoring/delivery'], [delivery, 'POST', '/api/admin/dead-letters/replay'], [delivery, 'POST', '/api/admin/notifications/n-1/resend'],
      ] as const) expect([policy.self, method, path, invocationVerdict(policy, 'admin', path, method)]).toEqual([policy.self, method, path, 'allow']);
    });

    it('when the console names a client route (a hold, an order, a payment, a ticket scan), then it is refused', () => {
      for (const [policy, method, path] of [
        [booking, 'POST', '/api/shows/x/holds'], [booking, 'POST', '/api/holds/h-1/confirm'], [booking, 'POST', '/api/tickets/verify'], [booking, 'POST', '/api/admin/bookings/b-1/cancel'],
        [fulfillment, 'POST', '/workflows/order'], [fulfillment, 'POST', '/workflows/x/pay'], [fulfillment, 'GET', '/workflows/openapi.json'],
        [delivery, 'GET', '/api/openapi.json'], [delivery, 'GET', '/api/admin/notifications/n-1'],
      ] as const) expect([policy.self, method, path, invocationVerdict(policy, 'admin', path, method)]).toEqual([policy.self, method, path, 'path']);
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

  const req = (value?: string, caller?: string) => ({ header: (n: string) => (n === 'x-holdfast-actor' ? value : n === 'dapr-caller-app-id' ? caller : undefined) });

  it('when the console invoked (dapr-caller-app-id admin): the header absent, undefined; a name, that name; anything else, 400 ACTOR_INVALID', () => {
    expect(headerActor(req(undefined, 'admin'))).toBeUndefined();
    expect(headerActor(req('Alice Admin', 'admin'))).toBe('Alice Admin');
    expect(headerActor(req('Alice Admin', ' admin '))).toBe('Alice Admin');
    expect(() => headerActor(req('<b>', 'admin'))).toThrow(expect.objectContaining({ status: 400, code: 'ACTOR_INVALID' }));
  });

  it('when anyone else sent it (the gateway, a forged admin beside it, no sidecar at all), then the header is ignored, even when it is no name', () => {
    for (const caller of ['gateway', 'gateway, admin', 'admin, gateway', 'admin,admin', 'booking', '', undefined]) {
      expect([caller, headerActor(req('Alice Admin', caller))]).toEqual([caller, undefined]);
      expect([caller, headerActor(req('<b>', caller))]).toEqual([caller, undefined]);
    }
  });

  it('when the pattern is read without the u flag (a JSON Schema validator), then it says the same', () => {
    const plain = new RegExp(ACTOR_NAME_PATTERN);
    for (const name of ['José', 'a b', ' a', '<x>', 'ops@example.com']) expect([name, plain.test(name)]).toEqual([name, isActorName(name)]);
  });
});
