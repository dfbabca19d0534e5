import { signNonce, tokensEqual, verifiedNonce } from './csrf';

describe('CSRF tokens', () => {
  it('compares tokens exactly, refusing empty or non-string values', () => {
    expect(tokensEqual('abc', 'abc')).toBe(true);
    expect(tokensEqual('abd', 'abc')).toBe(false);
    expect(tokensEqual('', '')).toBe(false);
    expect(tokensEqual(undefined, 'abc')).toBe(false);
    expect(tokensEqual(['abc'], 'abc')).toBe(false);
  });

  it('accepts only a sign-in cookie whose MAC is ours', () => {
    const key = Buffer.alloc(32, 7);
    const cookie = signNonce(key, 'nonce123');
    expect(verifiedNonce(key, cookie)).toBe('nonce123');
    expect(verifiedNonce(Buffer.alloc(32, 8), cookie)).toBeUndefined();
    expect(verifiedNonce(key, 'nonce123.forged')).toBeUndefined();
    expect(verifiedNonce(key, undefined)).toBeUndefined();
  });
});
