/**
 * Keeps an app's workflow worker connected to its sidecar.
 *
 * Why: the JS SDK's worker (@dapr/dapr 3.18, durabletask's TaskHubGrpcWorker) reconnects after a
 * lost stream only once it has lost one before: the first error of its first connection, however
 * long that connection lived, ends the worker for good ("Worker failed: ... Connection dropped"),
 * and the app goes on serving with no workflow ever run again. The fault drill found it: a daprd
 * killed and restarted left every customer cancellation CANCELLING (docs/reliability.md). So a
 * worker that stopped without being asked is started again (a new connection, retried until the
 * sidecar answers), and `running()` says whether one is up, for readiness and metrics.
 */
import type { Logger } from 'pino';

/** What the supervisor needs of @dapr/dapr's WorkflowRuntime (start, stop) and of its inner worker's state. */
export interface SupervisedRuntime {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** The inner worker's flag (not part of the SDK's typed surface): false once its run loop has ended. */
function innerWorkerRunning(runtime: SupervisedRuntime): boolean {
  const worker = (runtime as unknown as { worker?: { _isRunning?: boolean } }).worker;
  return worker?._isRunning !== false;
}

export interface WorkflowWorkerSupervisor {
  /** True while a worker is up (or starting); false after it stopped until it is started again. */
  running(): boolean;
  /** How many times a stopped worker was started again. */
  restarts(): number;
  stop(): Promise<void>;
}

export async function superviseWorkflowWorker(runtime: SupervisedRuntime, logger: Logger, intervalMs = 2_000): Promise<WorkflowWorkerSupervisor> {
  const log = logger.child({ component: 'workflow-worker' });
  let stopped = false;
  let restarts = 0;
  await runtime.start();
  const check = async () => {
    if (stopped || innerWorkerRunning(runtime)) return;
    restarts++;
    log.warn({ restarts }, 'the workflow worker lost its sidecar and stopped: starting it again');
    try {
      await runtime.start();
    } catch (error) {
      log.warn({ err: error }, 'the workflow worker did not start; trying again');
    }
  };
  const timer = setInterval(() => void check(), intervalMs);
  timer.unref();
  return {
    running: () => !stopped && innerWorkerRunning(runtime),
    restarts: () => restarts,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await runtime.stop();
    },
  };
}
