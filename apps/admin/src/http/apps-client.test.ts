import { createAppsClient, pathForLog } from './apps-client';
import { AppCallError } from './section';

const settings = { DAPR_HOST: '127.0.0.1', DAPR_HTTP_PORT: 3505, ADMIN_API_TOKEN: 'a'.repeat(20), MANAGER_API_TOKEN: 'm'.repeat(20), ADMIN_APPS_TIMEOUT_MS: 1000 };
const user = { name: 'ada', roles: ['admin' as const], sessionId: 's1' };

describe('apps client logs', () => {
  it('log a called path without its query string (the timeline search carries customer emails in q=)', async () => {
    expect(pathForLog('/api/admin/timeline/search?q=jo%40example.com')).toBe('/api/admin/timeline/search');
    expect(pathForLog('/api/shows')).toBe('/api/shows');
    const lines: unknown[] = [];
    const logger = { warn: (o: unknown) => lines.push(o), debug: (o: unknown) => lines.push(o) } as never;
    const failing = createAppsClient(settings, logger, (async () => { throw new Error('connection refused'); }) as never);
    await expect(failing.call(user, 'booking', { method: 'GET', path: '/api/admin/timeline/search?q=jo@example.com', credential: 'admin' })).rejects.toBeInstanceOf(AppCallError);
    const answering = createAppsClient(settings, logger, (async () => new Response('{"matches":[]}', { status: 200 })) as never);
    await answering.call(user, 'delivery', { method: 'GET', path: '/api/admin/timeline/search?q=jo@example.com', credential: 'admin' });
    expect(lines).toHaveLength(2);
    expect(JSON.stringify(lines)).not.toContain('example.com');
    expect(lines).toEqual([expect.objectContaining({ path: '/api/admin/timeline/search' }), expect.objectContaining({ path: '/api/admin/timeline/search', status: 200 })]);
  });
});
