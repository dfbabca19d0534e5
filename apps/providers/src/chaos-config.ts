/** Loads the starting chaos (YAML file + env) and validates admin updates; both use one schema. */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { chaosRuleSchema } from './domain/chaos';

export const chaosUpdateSchema = z.object({
  rules: z.record(z.string().regex(/^[a-z0-9-]+\.[a-z0-9-]+$/, 'a rule name is domain.operation'), chaosRuleSchema).default({}),
  seed: z.number().int().optional(),
}).strict();
export type ChaosUpdate = z.infer<typeof chaosUpdateSchema>;

export function loadChaosFile(path: string): ChaosUpdate {
  let content: string;
  try {
    content = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read chaos file ${path}: ${(error as Error).message}`);
  }
  const parsed = chaosUpdateSchema.safeParse(parse(content) ?? {});
  if (!parsed.success) {
    throw new Error(`invalid chaos file ${path}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}
