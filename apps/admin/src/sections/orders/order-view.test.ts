import { z } from 'zod';
import { allowedActions, formatDuration, formRefusalCode, FORM_REFUSALS, isFormRefusal, labelProgress, refusalSentence, stateClause, timeLeft } from './order-view';

describe('allowedActions', () => {
  it('offers approve, reject and cancel while the order awaits approval', () => {
    expect(allowedActions({ status: 'awaiting_approval', finishedAt: null })).toEqual({ approve: true, reject: true, cancel: true });
  });
  it('offers only cancel while the order is processing or awaits its down payment', () => {
    expect(allowedActions({ status: 'processing', finishedAt: null })).toEqual({ approve: false, reject: false, cancel: true });
    expect(allowedActions({ status: 'pending_dp', finishedAt: null })).toEqual({ approve: false, reject: false, cancel: true });
  });
  it('offers nothing once the order has finished', () => {
    for (const status of ['shipped', 'rejected', 'failed', 'cancelled']) {
      expect(allowedActions({ status, finishedAt: '2026-01-01T00:00:00Z' })).toEqual({ approve: false, reject: false, cancel: false });
    }
    expect(allowedActions({ status: 'awaiting_approval', finishedAt: '2026-01-01T00:00:00Z' }).approve).toBe(false);
  });
});

describe('labelProgress', () => {
  const step = (name: string) => ({ name, timestamp: '2026-01-01T00:00:00Z' });
  it('is null before the saga reaches the label', () => {
    expect(labelProgress({ progress: 45, currentStep: 'payment_capture', completedSteps: [step('inventory_reservation')] })).toBeNull();
  });
  it('maps 60-90 of the order onto 0-100 of the label while it is made', () => {
    expect(labelProgress({ progress: 60, currentStep: 'shipping_label', completedSteps: [] })).toBe(0);
    expect(labelProgress({ progress: 75, currentStep: 'shipping_label', completedSteps: [] })).toBe(50);
    expect(labelProgress({ progress: 95, currentStep: 'shipping_label', completedSteps: [] })).toBe(100);
  });
  it('is 100 once the label step completed', () => {
    expect(labelProgress({ progress: 90, currentStep: 'customer_notification', completedSteps: [step('shipping_label')] })).toBe(100);
  });
});

describe('timeLeft', () => {
  const now = new Date('2026-03-01T12:00:00.000Z');
  it('counts whole seconds to the due time', () => {
    expect(timeLeft('2026-03-01T12:01:05.900Z', now)).toEqual({ dueAt: '2026-03-01T12:01:05.900Z', seconds: 65, text: '1 min 05 s' });
  });
  it('says timed out at or past the due time', () => {
    expect(timeLeft('2026-03-01T11:59:00.000Z', now)).toMatchObject({ seconds: 0, text: 'timed out' });
  });
  it('says unknown when the app gave no due time or an unreadable one', () => {
    expect(timeLeft(undefined, now)).toEqual({ dueAt: null, seconds: null, text: 'unknown' });
    expect(timeLeft(null, now).text).toBe('unknown');
    expect(timeLeft('soon', now).text).toBe('unknown');
  });
  it('formats hours, minutes and seconds', () => {
    expect(formatDuration(7380)).toBe('2 h 03 min');
    expect(formatDuration(45)).toBe('45 s');
  });
});

describe('refusalSentence', () => {
  it('says a 409 with the state the order is in now', () => {
    expect(refusalSentence('approve', { status: 409, code: 'NOT_AWAITING_APPROVAL' }, { status: 'rejected', error: null, rejectionReason: null }))
      .toBe('This order can no longer be approved: it was already rejected.');
    expect(refusalSentence('reject', { status: 409, code: 'ORDER_FINISHED' }, { status: 'failed', error: 'no manager decision before the approval timeout', rejectionReason: null }))
      .toBe('This order can no longer be rejected: it timed out waiting for approval.');
  });
  it('falls back on the refusal code when the order could not be read again', () => {
    expect(refusalSentence('cancel', { status: 409, code: 'ORDER_FINISHED' })).toBe('This order can no longer be cancelled: it has already finished.');
    expect(refusalSentence('approve', { status: 409, code: 'SOMETHING_NEW' })).toBe('This order can no longer be approved: its state does not allow it any more.');
  });
  it('never shows a code or JSON for other answers', () => {
    const sentence = refusalSentence('approve', { status: 503, code: 'UPSTREAM_UNAVAILABLE' });
    expect(sentence).toBe('The order could not be approved: fulfillment did not answer. Try again in a moment.');
    expect(refusalSentence('approve', { status: 404, code: 'ORDER_NOT_FOUND' })).toBe('This order does not exist (any more).');
  });
  it('names the rejection reason when it was recorded', () => {
    expect(stateClause({ status: 'rejected', error: null, rejectionReason: 'fraud' })).toBe('it was already rejected (fraud)');
  });
});

describe('a refused order form', () => {
  const reject = z.object({ reason: z.string().trim().min(1).max(500), back: z.enum(['order', 'approvals']).optional() });
  const codeOf = (body: unknown) => formRefusalCode(reject.safeParse(body).error?.issues[0]);
  it('is a fixed code, from the first issue, put in words by the console', () => {
    expect(codeOf({ reason: '  ' })).toBe('REASON_REQUIRED');
    expect(codeOf({})).toBe('REASON_REQUIRED');
    expect(codeOf({ reason: 'x'.repeat(501) })).toBe('REASON_TOO_LONG');
    expect(codeOf({ reason: 'ok', back: 'elsewhere' })).toBe('FORM_INVALID');
    expect(FORM_REFUSALS[codeOf({ reason: '' })]).toBe('Give a reason for the rejection. The order was not rejected.');
  });
  it('knows only its own codes (anything else is an app\'s refusal)', () => {
    expect(isFormRefusal('REASON_REQUIRED')).toBe(true);
    expect(isFormRefusal('NOT_AWAITING_APPROVAL')).toBe(false);
    expect(isFormRefusal('toString')).toBe(false);
    expect(isFormRefusal(undefined)).toBe(false);
  });
});
