/**
 * The status answer as the design document (seed 002, "Workflow State (Query Response)") shows it:
 * step names such as `payment_authorization`, steps as `{name, status, timestamp, data}`, the
 * authorization as `data.authId`, amounts in the input's units (decimal major units, never cents).
 * The saga records its steps under its own short names (authorize, approval, ...) in minor units;
 * this mapping is only the view, so the workflow and its read model stay as they are. Pure.
 */
import { toMajorUnits } from './order';

/** A step as the saga records it in the read model (data amounts in minor units). */
export interface RecordedStep {
  step: string;
  at: string;
  target?: string;
  data?: Record<string, unknown>;
}

/** A step as the document shows it. */
export interface DocumentStep {
  name: string;
  status: 'completed';
  timestamp: string;
  data: Record<string, unknown>;
}

/**
 * The document's names for the saga's steps. The six forward steps are the document's own
 * ("Flujo Principal" and its Query Response example); the down-payment steps, which the document
 * does not have, are named in the same style.
 */
export const DOCUMENT_STEP_NAMES: Readonly<Record<string, string>> = {
  authorize: 'payment_authorization',
  approval: 'manager_approval',
  reserve: 'inventory_reservation',
  capture: 'payment_capture',
  label: 'shipping_label',
  notify: 'customer_notification',
  // Down-payment orders (not in the document).
  down_payment: 'down_payment',
  awaiting_payment: 'down_payment',
  'down-payment-authorize': 'down_payment_authorization',
  'down-payment-capture': 'down_payment_capture',
  'balance-authorize': 'balance_authorization',
  'balance-capture': 'balance_capture',
};

/** A step's (or the current step's) document name; a name not in the table in the same snake_case style. */
export function documentStepName(step: string): string {
  return DOCUMENT_STEP_NAMES[step] ?? step.replace(/-/g, '_');
}

/** Keys whose value the read model holds in minor units. */
const MINOR_UNIT_KEYS = new Set(['amount']);

/** A step's data for clients: the authorization as `authId`, amounts in major units. */
export function documentStepData(data: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data ?? {})) {
    if (key === 'authorizationId') out.authId = value;
    else if (MINOR_UNIT_KEYS.has(key) && typeof value === 'number') out[key] = toMajorUnits(value);
    else out[key] = value;
  }
  return out;
}

export function documentStep(record: RecordedStep): DocumentStep {
  return { name: documentStepName(record.step), status: 'completed', timestamp: record.at, data: documentStepData(record.data) };
}

/** An undo action: the document's step shape, plus what it undid (`target`). */
export function documentCompensation(record: RecordedStep): DocumentStep & { target?: string } {
  return { ...documentStep(record), ...(record.target === undefined ? {} : { target: record.target }) };
}

export interface RecordedProgress {
  currentStep: string | null;
  completedSteps: RecordedStep[];
  compensations: RecordedStep[];
}

/** The document's part of the status answer (status, progress and error pass through unchanged). */
export function documentProgress(order: RecordedProgress) {
  return {
    currentStep: order.currentStep === null ? null : documentStepName(order.currentStep),
    completedSteps: order.completedSteps.map(documentStep),
    compensations: order.compensations.map(documentCompensation),
  };
}
