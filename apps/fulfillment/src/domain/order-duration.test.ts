import { activityWorstSeconds, DEFAULT_WORKFLOW_TIMEOUT_SECONDS, maxApprovalTimeoutSeconds, ORDER_RETRY_POLICIES as P, workflowTimeoutProblem, worstCaseOrderSeconds } from './order-duration';

/** The app's defaults (apps/fulfillment/src/main.ts): APPROVAL_TIMEOUT_SECONDS, PROVIDER_TIMEOUT_MS, LABEL_POLL_SECONDS, LABEL_DEADLINE_SECONDS. */
const DEFAULTS = { approvalTimeoutSeconds: 120, providerTimeoutMs: 5_000, labelPollSeconds: 1, labelDeadlineSeconds: 300 };

describe('the worst-case duration of an order without a down payment (seed 002: workflow timeout 30 minutes)', () => {
  it('when each retry policy runs out with every attempt timing out, then it takes attempts x timeout + its backoff (hand-computed)', () => {
    // payment: 4 attempts x 5 s + 1 + 2 + 4 s
    expect(activityWorstSeconds(P.payment, 1, 5_000)).toBe(27);
    // inventory: 3 x 5 s + 1 + 2 s
    expect(activityWorstSeconds(P.inventory, 1, 5_000)).toBe(18);
    // shipping: 6 x 5 s + 1 + 2 + 4 + 8 + 10 s (capped at 10 s)
    expect(activityWorstSeconds(P.shipping, 1, 5_000)).toBe(55);
    // notification: 4 x 5 s + 7 s
    expect(activityWorstSeconds(P.notification, 1, 5_000)).toBe(27);
    // compensation: 12 x 5 s + 1 + 2 + 4 + 8 + 16 + 6 x 30 s (capped at 30 s)
    expect(activityWorstSeconds(P.compensation, 1, 5_000)).toBe(271);
    // our own database or actor: the waits only
    expect(activityWorstSeconds(P.compensation, 0, 5_000)).toBe(211);
  });

  it('when the settings are the defaults, then the worst case is 1627 s (undone after the label deadline) and fits in 30 minutes', () => {
    const worst = worstCaseOrderSeconds(DEFAULTS);
    // authorize 27 + approval 120 + reserve 18 + capture 27 + label start 55
    // + label checks (deadline 300 + one poll 1 + a last check 55) + cancelLabel, refundCapture, releaseReservation 3 x 271 + final record 211
    expect(worst.seconds).toBe(27 + 120 + 18 + 27 + 55 + (300 + 1 + 55) + 3 * 271 + 211);
    expect(worst.seconds).toBe(1627);
    expect(worst.path).toBe('undone after the label');
    expect(worst.seconds).toBeLessThanOrEqual(DEFAULT_WORKFLOW_TIMEOUT_SECONDS);
    expect(DEFAULT_WORKFLOW_TIMEOUT_SECONDS).toBe(30 * 60);
    expect(workflowTimeoutProblem(DEFAULTS, DEFAULT_WORKFLOW_TIMEOUT_SECONDS)).toBeUndefined();
  });

  it('when the other paths are computed by hand, then they are shorter: shipped 841 s, an unanswered capture undone 1065 s', () => {
    const shipped = 27 + 120 + 18 + 27 + 55 + 356 + 27 + 211;
    const uncertainCapture = 27 + 120 + 18 + 27 + 271 + (12 * 3 * 5 + 211) + 211;
    expect([shipped, uncertainCapture]).toEqual([841, 1065]);
    expect(worstCaseOrderSeconds(DEFAULTS).seconds).toBeGreaterThan(Math.max(shipped, uncertainCapture));
    // a long approval with slow compensations cannot make the capture path the longest: it shares everything up to the capture
    expect(worstCaseOrderSeconds({ ...DEFAULTS, labelDeadlineSeconds: 1, labelPollSeconds: 0.2 }).path).toBe('undone after the label');
  });

  it('when an order asks for its own approval timeout, then what the rest of the saga leaves is the most it may ask: 293 s with the defaults', () => {
    const { approvalTimeoutSeconds: _default, ...rest } = DEFAULTS;
    expect(maxApprovalTimeoutSeconds(rest, 1_800)).toBe(1_800 - (1627 - 120));
    expect(maxApprovalTimeoutSeconds(rest, 1_800)).toBe(293);
    expect(worstCaseOrderSeconds({ ...rest, approvalTimeoutSeconds: 293 }).seconds).toBeLessThanOrEqual(1_800);
    expect(worstCaseOrderSeconds({ ...rest, approvalTimeoutSeconds: 294 }).seconds).toBeGreaterThan(1_800);
    expect(maxApprovalTimeoutSeconds(rest, 3_600)).toBe(2_093);
    expect(maxApprovalTimeoutSeconds(rest, 600)).toBe(0);
  });

  it('when the configured waits add up to more than the workflow timeout, then the problem names the settings that exceed it, the largest share first', () => {
    const problem = workflowTimeoutProblem({ ...DEFAULTS, approvalTimeoutSeconds: 600 }, 1_800);
    expect(problem).toMatch(/^WORKFLOW_TIMEOUT_SECONDS: an order without a down payment can take up to 2107 s/);
    expect(problem).toContain('APPROVAL_TIMEOUT_SECONDS');
    expect(problem).toContain('APPROVAL_TIMEOUT_SECONDS (or the order\'s approvalTimeoutSeconds): 600 s');
    const labelTooLong = workflowTimeoutProblem({ ...DEFAULTS, labelDeadlineSeconds: 600 }, 1_800);
    expect(labelTooLong).toContain('up to 1927 s');
    expect(labelTooLong).toContain('LABEL_DEADLINE_SECONDS + LABEL_POLL_SECONDS: 656 s');
    expect(labelTooLong!.indexOf('PROVIDER_TIMEOUT_MS')).toBeLessThan(labelTooLong!.indexOf('APPROVAL_TIMEOUT_SECONDS'));
    expect(workflowTimeoutProblem({ ...DEFAULTS, labelDeadlineSeconds: 600 }, 1_927)).toBeUndefined();
  });
});
