import { jobApplies, jobRetryDelaysSchema, queueHealth, queueStats, type MonitoringSources } from './jobs';

const now = new Date('2026-12-02T10:00:00Z');
const sources = (over: Partial<MonitoringSources> = {}): MonitoringSources => ({
  jobs: {
    ORDER_EXPIRE_DP: { pending: 0, processing: 1, completed: 3, failed: 1, dead: 0, retries: 2, lastActivityAt: new Date('2026-12-02T09:59:00Z') },
    STOCK_RELEASE: { pending: 0, processing: 0, completed: 1, failed: 0, dead: 1, retries: 3, lastActivityAt: new Date('2026-12-02T09:58:00Z') },
  },
  timers: { approval: 2, downPayment: 4, validation: 1, oldestDueAt: null },
  outbox: { pending: 5, oldestCreatedAt: new Date('2026-12-02T09:59:30Z') },
  deadLetters: { pending: 2, replaying: 0, replayed: 7, manualReview: 1 },
  recentDeadJobs: 1,
  ...over,
});

describe('seed 003 jobs (pure)', () => {
  it('when the retry schedule is not configured, then it is the document\'s 5 s, 30 s, 5 min (max 3 retries)', () => {
    expect(jobRetryDelaysSchema.parse(undefined)).toEqual([5, 30, 300]);
    expect(jobRetryDelaysSchema.parse('1, 2')).toEqual([1, 2]);
    expect(jobRetryDelaysSchema.safeParse('1,x').success).toBe(false);
  });

  it('when the sources are counted, then stats add timers and outbox to pending, and pub/sub dead letters to dead', () => {
    const stats = queueStats(sources(), now);
    expect(stats).toMatchObject({ pending: 7 + 5, processing: 1, completed: 4, failed: 1, dead: 1 + 2, retries: 5, queueDepth: 12 + 1 + 1, oldestPendingAgeSeconds: 30 });
    expect(stats.byType.ORDER_AUTO_REFUND).toEqual({ pending: 0, processing: 0, completed: 0, failed: 0, dead: 0, retries: 0 });
    expect(stats.timers).toEqual({ approval: 2, downPayment: 4, validation: 1 });
  });

  it('when the worker runs, then health is degraded by a job dead in the last day and unhealthy without the runtime or the database', () => {
    expect(queueHealth({ workerRunning: true, databaseOk: true, sources: sources(), outboxLagSeconds: 300, now })).toMatchObject({ status: 'degraded', worker: { healthy: true, lastActivity: '2026-12-02T09:59:00.000Z' } });
    const clean = sources({ jobs: {}, deadLetters: { pending: 0, replaying: 0, replayed: 0, manualReview: 0 }, recentDeadJobs: 0 });
    // A job that died more than a day ago is still counted, but no longer degrades the health.
    expect(queueHealth({ workerRunning: true, databaseOk: true, sources: { ...clean, jobs: sources().jobs }, outboxLagSeconds: 300, now }).status).toBe('healthy');
    expect(queueHealth({ workerRunning: true, databaseOk: true, sources: clean, outboxLagSeconds: 300, now }).status).toBe('healthy');
    expect(queueHealth({ workerRunning: true, databaseOk: true, sources: clean, outboxLagSeconds: 10, now }).status).toBe('degraded');
    expect(queueHealth({ workerRunning: false, databaseOk: true, sources: clean, outboxLagSeconds: 300, now }).status).toBe('unhealthy');
    expect(queueHealth({ workerRunning: true, databaseOk: false, outboxLagSeconds: 300, now }).status).toBe('unhealthy');
  });

  it('when a job is asked for by hand, then it applies only to an order waiting on its timer', () => {
    const order = (status: string, dp: number | null, finished = false) => ({ status, downPaymentAmount: dp, finishedAt: finished ? now : null });
    expect(jobApplies('ORDER_EXPIRE_DP', order('pending_dp', 1500))).toBeUndefined();
    expect(jobApplies('ORDER_EXPIRE_DP', order('awaiting_approval', 1500))).toBe('NOT_PENDING_DP');
    expect(jobApplies('ORDER_AUTO_REFUND', order('awaiting_approval', 1500))).toBeUndefined();
    expect(jobApplies('ORDER_AUTO_REFUND', order('awaiting_approval', null))).toBe('NOT_AWAITING_VALIDATION');
    expect(jobApplies('ORDER_AUTO_REFUND', order('rejected', 1500, true))).toBe('ORDER_FINISHED');
  });
});
