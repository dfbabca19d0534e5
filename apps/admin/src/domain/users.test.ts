import { parseUsers } from './users';

const HASH = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$q3ouNDvKX3T9mkB0ZoDz2uw4IjRUZqkvwrOxsMy9NCw';

describe('parseUsers', () => {
  it('reads name, roles and hash of each ;-separated entry', () => {
    const users = parseUsers(`admin:admin+manager:${HASH}; grace:manager:${HASH}`);
    expect([...users.keys()]).toEqual(['admin', 'grace']);
    expect(users.get('admin')).toEqual({ name: 'admin', roles: ['admin', 'manager'], hash: HASH });
    expect(users.get('grace')!.roles).toEqual(['manager']);
  });

  it('keeps a hash with $ and , intact and collapses a repeated role', () => {
    expect(parseUsers(`alan:admin+admin:${HASH}`).get('alan')).toEqual({ name: 'alan', roles: ['admin'], hash: HASH });
  });

  it('refuses an unknown role, a missing hash, a non-argon2id hash and a duplicate, naming each entry without echoing hashes', () => {
    const bad = `a:root:${HASH};b:admin;c:admin:$2b$10$abcdefghijklmnopqrstuv;a:manager:${HASH}`;
    let message = '';
    try {
      parseUsers(bad);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/entry 1: roles/);
    expect(message).toMatch(/entry 2: expected name:role/);
    expect(message).toMatch(/entry 3: hash/);
    expect(message).not.toContain('$2b$10$abcdef');
  });

  it('refuses a list naming nobody', () => {
    expect(() => parseUsers(' ; ')).toThrow(/names no user/);
  });

  it('takes only names the apps accept as X-Holdfast-Actor (isActorName), the rule of every app', () => {
    for (const good of ['ada', 'ops@example.com', 'Alice Admin', "o'brien", '7up', 'x'.repeat(100)]) expect([...parseUsers(`${good}:admin:${HASH}`).keys()]).toEqual([good]);
    for (const bad of ['.hidden', '-dash', '_under', '@at', 'x'.repeat(101), 'José', 'a<b', 'trailing ']) {
      expect(() => parseUsers(`${bad}:admin:${HASH};ok:admin:${HASH}`)).toThrow(/entry 1: name: a user name the apps accept/);
    }
  });
});
