import { z } from 'zod';
import { envFlag } from './env-flag';

describe('envFlag', () => {
  const schema = z.object({ ON: envFlag(true), OFF: envFlag(false) });
  it('when unset, then its default; when set, then true/false (1/0, on/off, yes/no, any case); anything else is refused', () => {
    expect(schema.parse({})).toEqual({ ON: true, OFF: false });
    expect(schema.parse({ ON: 'false', OFF: 'ON' })).toEqual({ ON: false, OFF: true });
    expect(schema.parse({ ON: '0', OFF: 'yes' })).toEqual({ ON: false, OFF: true });
    expect(schema.safeParse({ ON: 'maybe' }).success).toBe(false);
  });
});
