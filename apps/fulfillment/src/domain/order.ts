/**
 * Orders as the fulfillment saga sees them: the input a client sends, money in minor units, the
 * steps in order with the progress each stands for, and the statuses an order moves through.
 * Pure: no Dapr, express or Prisma.
 */
import { z } from 'zod';
import { emailAddress } from '@holdfast/shared';

export const MIN_APPROVAL_TIMEOUT_SECONDS = 1;
export const MAX_APPROVAL_TIMEOUT_SECONDS = 86_400;

/**
 * The largest amount an order (or one of its items, or its down payment) may name, in major units:
 * 10,000,000.00, i.e. 1,000,000,000 minor units, which fits the int4 columns (orders.total_amount,
 * down_payment_amount: largest 2,147,483,647) with room to spare. An order's total must equal its
 * items' sum (amountProblems) and a down payment is less than the total, so no stored amount exceeds it.
 */
export const MAX_ORDER_AMOUNT = 10_000_000;
export const MAX_ORDER_AMOUNT_MINOR = MAX_ORDER_AMOUNT * 100;

/** An amount in major units with at most two decimals (29.99), as the design's order input has it. */
const moneyAmount = z.number().nonnegative().max(MAX_ORDER_AMOUNT).refine((n) => Math.abs(n * 100 - Math.round(n * 100)) < 1e-6, 'at most two decimals');

/** An order's currency when its input names none (the design document's input has no currency). */
export const DEFAULT_CURRENCY = 'EUR';

/**
 * A shipping address in either form, kept as sent: the design document's `{street, city, state,
 * zip, country}` or the earlier `{line1, postalCode, ...}`. One of street/line1 and one of
 * zip/postalCode is needed; `state` (a region: CA, Bavaria) is optional in both.
 */
export const shippingAddressSchema = z.object({
  name: z.string().trim().min(1).max(200).optional(),
  street: z.string().trim().min(1).max(200).optional(),
  line1: z.string().trim().min(1).max(200).optional(),
  line2: z.string().trim().max(200).optional(),
  city: z.string().trim().min(1).max(100),
  state: z.string().trim().min(1).max(100).optional(),
  zip: z.string().trim().min(1).max(20).optional(),
  postalCode: z.string().trim().min(1).max(20).optional(),
  country: z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166 alpha-2 code such as DE'),
}).strict()
  .refine((a) => a.street !== undefined || a.line1 !== undefined, { message: 'street (or line1) is required', path: ['street'] })
  .refine((a) => a.street === undefined || a.line1 === undefined || a.street === a.line1, { message: 'street and line1 name the same line: give one, or both equal', path: ['line1'] })
  .refine((a) => a.zip !== undefined || a.postalCode !== undefined, { message: 'zip (or postalCode) is required', path: ['zip'] })
  .refine((a) => a.zip === undefined || a.postalCode === undefined || a.zip === a.postalCode, { message: 'zip and postalCode name the same code: give one, or both equal', path: ['postalCode'] })
  .meta({
    description: 'The design document\'s {street, city, state, zip, country} or the earlier {line1, city, postalCode, country}: street (or line1) and zip (or postalCode) are required; when both names of one are given they must be equal. state is optional in both.',
    // What the refinements say, for the OpenAPI document (JSON Schema cannot see a refine).
    allOf: [{ anyOf: [{ required: ['street'] }, { required: ['line1'] }] }, { anyOf: [{ required: ['zip'] }, { required: ['postalCode'] }] }],
  });
export type ShippingAddress = z.infer<typeof shippingAddressSchema>;

/** The address as the carrier takes it (line1, postalCode), whichever form the order was placed with; `state` and the rest kept. */
export function carrierAddress(address: ShippingAddress): Record<string, unknown> {
  const { street, zip, ...rest } = address;
  return { ...rest, line1: address.line1 ?? street, postalCode: address.postalCode ?? zip };
}

export const orderInputSchema = z.object({
  orderId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/, 'letters, digits, _ . : - (1 to 100)'),
  customerId: z.string().trim().min(1).max(100),
  items: z.array(z.object({
    sku: z.string().trim().min(1).max(64),
    quantity: z.number().int().min(1).max(10_000),
    price: moneyAmount,
  }).strict()).min(1).max(100),
  totalAmount: moneyAmount.refine((n) => n > 0, 'must be positive'),
  /** The design document's input names none: DEFAULT_CURRENCY (EUR) then. */
  currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as EUR').default(DEFAULT_CURRENCY),
  shippingAddress: shippingAddressSchema,
  customerEmail: emailAddress(),
  /** Optional (E.164): where the order's WhatsApp notifications go (seed 003's NOTIFICATION_SEND_WHATSAPP). */
  customerPhone: z.string().regex(/^\+[1-9][0-9]{5,14}$/, 'an E.164 phone number such as +4915112345678').optional(),
  approvalTimeoutSeconds: z.number().int().min(MIN_APPROVAL_TIMEOUT_SECONDS).max(MAX_APPROVAL_TIMEOUT_SECONDS).optional(),
  /**
   * Pay part up front: the stock is reserved, the customer pays this much (POST /workflows/:id/pay)
   * before it expires unpaid, a manager validates within the validation window (else the down
   * payment is refunded), then the balance is charged and the order ships.
   */
  downPayment: z.object({ amount: moneyAmount.refine((n) => n > 0, 'must be positive') }).strict().optional(),
}).strict();
export type OrderInput = z.infer<typeof orderInputSchema>;

export const toMinorUnits = (amount: number) => Math.round(amount * 100);
export const toMajorUnits = (minor: number) => minor / 100;

/** The problems with an order's amounts that its schema cannot see: each a sentence, none when fine. */
export function amountProblems(order: Pick<OrderInput, 'items' | 'totalAmount' | 'downPayment'>): string[] {
  const problems: string[] = [];
  const sum = order.items.reduce((total, item) => total + toMinorUnits(item.price) * item.quantity, 0);
  const total = toMinorUnits(order.totalAmount);
  if (sum !== total) problems.push(`totalAmount ${order.totalAmount} does not equal the items' sum ${toMajorUnits(sum)}`);
  if (order.downPayment && toMinorUnits(order.downPayment.amount) >= total) problems.push('downPayment.amount must be less than totalAmount');
  return problems;
}

export const ORDER_STATUSES = ['pending_dp', 'awaiting_approval', 'approved', 'rejected', 'processing', 'shipped', 'failed', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** The saga's forward steps, in order. */
export const STEPS = ['authorize', 'approval', 'reserve', 'capture', 'label', 'notify'] as const;
export type Step = (typeof STEPS)[number];

/** Progress (0-100) once a step has completed; the label step also reports progress while it works. */
export const PROGRESS_AFTER: Record<Step, number> = {
  authorize: 15, approval: 30, reserve: 45, capture: 60, label: 90, notify: 100,
};

/** Progress while the label is being made: between capture (60) and label done (90). */
export function labelProgress(providerProgress: number): number {
  const clamped = Math.max(0, Math.min(100, providerProgress));
  return PROGRESS_AFTER.capture + Math.floor(((PROGRESS_AFTER.label - PROGRESS_AFTER.capture) * clamped) / 100);
}

/** Provider idempotency keys: one per order and step, so a retry or a replay never acts twice. */
export const stepKey = (orderId: string, step: string) => `order-${orderId}-${step}`;

/** A completed step as the read model records it. */
export interface StepRecord {
  step: string;
  at: string;
  data?: Record<string, unknown>;
}

/** Where a recorded step moves the order: progress (never backwards), the step now running, and optionally its status and approver. */
export interface StepMove {
  status?: OrderStatus;
  progress: number;
  currentStep: string | null;
  approvedBy?: string;
}

/**
 * Several completed steps as one write that leaves the order as recording each in turn would: a
 * step recorded twice keeps its last record, in its last place; progress is the highest; the last
 * move's current step; the last status and approver given.
 */
export function mergeSteps(records: StepRecord[], moves: StepMove[]): { records: StepRecord[]; progress: number; currentStep: string | null; status: OrderStatus | null; approvedBy: string | null } {
  const latest = <K extends 'status' | 'approvedBy'>(key: K) => [...moves].reverse().find((m) => m[key] !== undefined)?.[key] ?? null;
  return {
    records: records.filter((r, i) => !records.slice(i + 1).some((later) => later.step === r.step)),
    progress: Math.max(...moves.map((m) => m.progress)),
    currentStep: moves.at(-1)!.currentStep,
    status: latest('status') as OrderStatus | null,
    approvedBy: latest('approvedBy') as string | null,
  };
}
