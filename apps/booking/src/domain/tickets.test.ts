import { signTicket, verifyTicket } from './tickets';

const claims = { bookingId: 'b-1', showId: 's-1', seatId: 'STALLS-A-1' };

describe('ticket QR payloads', () => {
  it('when a ticket is signed twice, then the payload is the same and verifies to its claims', () => {
    const payload = signTicket('k'.repeat(32), claims);
    expect(signTicket('k'.repeat(32), claims)).toBe(payload);
    expect(verifyTicket('k'.repeat(32), payload)).toEqual({ valid: true, claims });
  });

  it('when a payload is altered or signed with another key, then it is invalid', () => {
    const payload = signTicket('k'.repeat(32), claims);
    const forged = signTicket('x'.repeat(32), { ...claims, seatId: 'STALLS-A-2' });
    const spliced = `${payload.split('.').slice(0, 1)}.${forged.split('.')[1]}.${payload.split('.')[2]}`;
    expect(verifyTicket('k'.repeat(32), forged)).toEqual({ valid: false, reason: 'BAD_SIGNATURE' });
    expect(verifyTicket('k'.repeat(32), spliced)).toEqual({ valid: false, reason: 'BAD_SIGNATURE' });
    expect(verifyTicket('k'.repeat(32), 'garbage')).toEqual({ valid: false, reason: 'MALFORMED' });
  });
});
