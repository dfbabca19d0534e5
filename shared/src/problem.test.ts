import { z } from 'zod';
import { AppError, toProblem } from './problem';
import { withCorrelationId } from './correlation';

describe('problem+json', () => {
  it('when a handler throws an AppError, then the problem carries its status, code, detail and extensions', () => {
    const p = toProblem(new AppError(409, 'SEAT_UNAVAILABLE', 'Seats A1, A2 are held.', { seatIds: ['A1', 'A2'] }));
    expect(p).toMatchObject({ status: 409, code: 'SEAT_UNAVAILABLE', title: 'Conflict', detail: 'Seats A1, A2 are held.', seatIds: ['A1', 'A2'] });
    expect(p.type).toBe('https://holdfast.dev/problems/seat-unavailable');
  });

  it('when extensions name a standard member, then the standard member wins', () => {
    expect(toProblem(new AppError(409, 'HOLD_NOT_ACTIVE', 'Ended.', { status: 'RELEASED', code: 'X' }))).toMatchObject({ status: 409, code: 'HOLD_NOT_ACTIVE' });
  });

  it('when zod rejects input, then it is a 400 VALIDATION_FAILED listing each path', () => {
    const error = z.object({ seatIds: z.array(z.string()).min(1) }).safeParse({ seatIds: [] }).error!;
    expect(toProblem(error)).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', errors: [{ path: 'seatIds' }] });
  });

  it('when an unexpected error is thrown, then the client sees a 500 without its message', () => {
    const p = toProblem(new Error('password=hunter2 leaked from the driver'));
    expect(p).toMatchObject({ status: 500, code: 'INTERNAL_ERROR' });
    expect(JSON.stringify(p)).not.toContain('hunter2');
  });

  it('when the body is not JSON, then it is a 400 MALFORMED_JSON', () => {
    expect(toProblem({ type: 'entity.parse.failed', status: 400 })).toMatchObject({ status: 400, code: 'MALFORMED_JSON' });
  });

  it('when a request has a correlation id, then the problem carries it', () => {
    expect(withCorrelationId('booking-42', () => toProblem(new AppError(404, 'HOLD_NOT_FOUND', 'No such hold.')))).toMatchObject({ correlationId: 'booking-42' });
  });
});
