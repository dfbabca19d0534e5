import type { Request, RequestHandler, Response } from 'express';
import { AppError } from '@holdfast/shared';
import { managerCredentials, parseManagers } from './manager-auth';
import { monitoringRouter, type MonitoringRouterDeps } from './monitoring.routes';

const shared = 'shared-manager-token-0123456789';
const alice = 'alice-token-0123456789abcdef';

/** The first handler of POST /api/test-queue (the manager check), called as Express would. */
function testQueueAuth(): RequestHandler {
  const router = monitoringRouter({
    managerCredentials: managerCredentials(shared, 'manager', parseManagers(`alice=${alice}`)),
    settings: { testQueueEnabled: false },
  } as unknown as MonitoringRouterDeps);
  const layer = (router.stack as Array<{ route?: { path: string; methods: Record<string, boolean>; stack: Array<{ handle: RequestHandler }> } }>)
    .find((l) => l.route?.path === '/api/test-queue' && l.route.methods.post);
  return layer!.route!.stack[0]!.handle;
}

function call(authorization: string | undefined): unknown {
  const req = { header: (name: string) => (name.toLowerCase() === 'authorization' ? authorization : undefined) } as unknown as Request;
  const res = { locals: {} } as unknown as Response;
  let passed: unknown = 'not called';
  testQueueAuth()(req, res, (error?: unknown) => { passed = error; });
  return passed;
}

describe('POST /api/test-queue: who may run jobs by hand', () => {
  it('when a manager sends their personal MANAGERS token, then it authenticates (as on the order routes), as does the shared token', () => {
    expect(call(`Bearer ${alice}`)).toBeUndefined();
    expect(call(`Bearer ${shared}`)).toBeUndefined();
  });

  it('when the token is missing or unknown, then it is a 401 MANAGER_AUTH_REQUIRED', () => {
    for (const authorization of [undefined, 'Bearer wrong-token-0123456789']) {
      const error = call(authorization);
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({ status: 401, code: 'MANAGER_AUTH_REQUIRED' });
    }
  });
});
