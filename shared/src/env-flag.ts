/** A feature flag read from the environment: true/false (also 1/0, on/off, yes/no), anything else refused by loadConfig. */
import { z } from 'zod';

const TRUE = ['true', '1', 'on', 'yes'];
const FALSE = ['false', '0', 'off', 'no'];

export const envFlag = (fallback: boolean) =>
  z.string().trim().toLowerCase()
    .refine((v) => TRUE.includes(v) || FALSE.includes(v), { message: `a flag: ${TRUE.join('/')} or ${FALSE.join('/')}` })
    .transform((v) => TRUE.includes(v))
    .default(fallback);
