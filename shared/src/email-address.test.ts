import { emailAddress } from './email-address';
import { jsonSchemaOf } from './openapi';

describe('emailAddress', () => {
  const valid = (address: string) => emailAddress().safeParse(address).success;

  it('when an address is ordinary, then it is accepted', () => {
    expect(valid('ada@example.com')).toBe(true);
    expect(valid(`${'a'.repeat(64)}@${'b'.repeat(63)}.example`)).toBe(true);
  });

  it('when the local part is over 64 characters, a label over 63 or a label starts or ends with a hyphen, then it is refused (zod\'s pattern alone accepts each)', () => {
    for (const address of [`${'a'.repeat(65)}@example.com`, `a@${'b'.repeat(64)}.com`, 'a@b-.com', 'a@ex.-b.com', `${'a'.repeat(60)}@${'b.'.repeat(100)}com`]) {
      expect([address, valid(address)]).toEqual([address, false]);
    }
  });

  it('when documented, then it is a string of format email with zod\'s pattern and at most 254 characters', () => {
    expect(jsonSchemaOf(emailAddress())).toMatchObject({ type: 'string', format: 'email', maxLength: 254, pattern: expect.any(String) });
  });
});
