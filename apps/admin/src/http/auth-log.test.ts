import { typedNameForLog } from './auth.routes';

describe('a typed user name in the logs', () => {
  const key = Buffer.alloc(32, 7);
  it('names a known user, and shows anything else (maybe a password in the wrong field) only as a short keyed hash', () => {
    expect(typedNameForLog('ada', true, key)).toEqual({ user: 'ada' });
    const hidden = typedNameForLog('correct horse battery', false, key);
    expect(hidden).toEqual({ unknownUser: expect.stringMatching(/^[0-9a-f]{12}$/) });
    expect(JSON.stringify(hidden)).not.toContain('horse');
    // The same value gives the same hash (repeats can be seen), another key another hash.
    expect(typedNameForLog('correct horse battery', false, key)).toEqual(hidden);
    expect(typedNameForLog('correct horse battery', false, Buffer.alloc(32, 8))).not.toEqual(hidden);
  });
});
