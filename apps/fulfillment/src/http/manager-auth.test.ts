import { AppError } from '@holdfast/shared';
import { approverOf, managerCredentials, managerOf, parseManagers } from './manager-auth';

const shared = 'shared-manager-token-0123456789';
const alice = 'alice-token-0123456789abcdef==';
const bob = 'bob-token-0123456789abcdef';

describe('managers by name', () => {
  it('when MANAGERS is empty or unset, then only the shared token, under its configured name, authenticates', () => {
    const credentials = managerCredentials(shared, 'manager', parseManagers(''));
    expect(parseManagers(undefined)).toEqual([]);
    expect(managerOf(credentials, `Bearer ${shared}`)).toEqual({ name: 'manager', token: shared, personal: false });
    expect(managerOf(credentials, 'Bearer wrong')).toBeUndefined();
    expect(managerOf(credentials, shared)).toBeUndefined();
    expect(managerOf(credentials, undefined)).toBeUndefined();
  });

  it('when MANAGERS names people, then each token authenticates its holder (a token may hold =)', () => {
    const credentials = managerCredentials(shared, 'manager', parseManagers(` alice@company.com=${alice} , bob=${bob}`));
    expect(managerOf(credentials, `Bearer ${alice}`)?.name).toBe('alice@company.com');
    expect(managerOf(credentials, `Bearer ${bob}`)).toMatchObject({ name: 'bob', personal: true });
    expect(managerOf(credentials, `Bearer ${shared}`)?.name).toBe('manager');
  });

  it('when an entry is malformed, short, repeated or clashes with the shared token, then it is refused without showing the token', () => {
    expect(() => parseManagers(`alice`)).toThrow(/entry 1/);
    expect(() => parseManagers(`=${alice}`)).toThrow(/entry 1/);
    expect(() => parseManagers('alice=short')).toThrow(/at least 16/);
    expect(() => parseManagers(`alice=${alice},alice=${bob}`)).toThrow(/name appears twice/);
    expect(() => parseManagers(`alice=${alice},bob=${alice}`)).toThrow(/share a token/);
    expect(() => managerCredentials(alice, 'manager', parseManagers(`alice=${alice}`))).toThrow(/equals MANAGER_API_TOKEN/);
    expect(() => managerCredentials(shared, 'alice', parseManagers(`alice=${alice}`))).toThrow(/MANAGER_API_TOKEN_NAME/);
    try {
      parseManagers('alice=short-token');
    } catch (error) {
      expect(String(error)).not.toContain('short-token');
    }
  });

  it('when the body names no approver, then the authenticated manager approves; a personal token cannot approve as someone else', () => {
    const [sharedCredential, aliceCredential] = managerCredentials(shared, 'manager', parseManagers(`alice@company.com=${alice}`));
    expect(approverOf(aliceCredential!, undefined)).toBe('alice@company.com');
    expect(approverOf(aliceCredential!, 'alice@company.com')).toBe('alice@company.com');
    expect(() => approverOf(aliceCredential!, 'bob')).toThrow(AppError);
    expect(() => approverOf(aliceCredential!, 'bob')).toThrow(expect.objectContaining({ status: 403, code: 'APPROVER_MISMATCH' }));
    expect(approverOf(sharedCredential!, undefined)).toBe('manager');
    expect(approverOf(sharedCredential!, 'manager-7')).toBe('manager-7');
  });
});
