/** A show's pricing and seating policy, and the fingerprints holds carry to detect a change. */
import { createHash } from 'node:crypto';
import { z } from 'zod';

export const policySchema = z.object({
  currency: z.string().length(3).default('EUR'),
  /** Price in minor units (cents) per zone. */
  zonePrices: z.record(z.string(), z.number().int().min(1)).default({}),
  /** Price of a seat whose zone has none in zonePrices. */
  defaultPrice: z.number().int().min(1).default(2500),
  /** Largest number of seats one hold may take. */
  maxSeatsPerHold: z.number().int().min(1).max(50).default(10),
}).strict();
export type Policy = z.infer<typeof policySchema>;

/** JSON with sorted keys, so equal policies hash equal however they were written. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function fingerprint(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 32);
}

/** Equal for the same terms however they were written: a re-save of identical terms is not a change. */
export const policyHash = (policy: Policy) => fingerprint(policy);
