import { currentRoles, hasAnyRole, visibleTo } from './permissions';

describe('permissions', () => {
  it('lets any one of the allowed roles through', () => {
    expect(hasAnyRole(['manager'], ['admin', 'manager'])).toBe(true);
    expect(hasAnyRole(['manager'], ['admin'])).toBe(false);
    expect(hasAnyRole([], ['admin'])).toBe(false);
  });

  it('shows a user only the sections one of their roles opens', () => {
    const sections = [{ path: '/shows', roles: ['admin'] as const }, { path: '/orders', roles: ['manager'] as const }, { path: '/timeline', roles: ['admin', 'manager'] as const }];
    expect(visibleTo(sections, ['manager']).map((s) => s.path)).toEqual(['/orders', '/timeline']);
    expect(visibleTo(sections, ['admin', 'manager']).map((s) => s.path)).toEqual(['/shows', '/orders', '/timeline']);
  });

  it('keeps only the session roles the user still holds', () => {
    expect(currentRoles(['admin', 'manager'], ['manager'])).toEqual(['manager']);
    expect(currentRoles(['manager'], ['admin', 'manager'])).toEqual(['manager']);
  });
});
