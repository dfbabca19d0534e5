/**
 * An email address as the apps take it: zod's email pattern (what the OpenAPI documents show),
 * and the limits RFC 5321 and the JSON Schema `email` format put on top of it, which that pattern
 * does not check: at most 254 characters, a local part of at most 64, domain labels of at most 63
 * that neither start nor end with a hyphen. Without them a route accepted addresses its own
 * document calls invalid (Schemathesis ST201 on POST /v3/mail/send).
 */
import { z } from 'zod';

const validLength = (address: string) => {
  const at = address.lastIndexOf('@');
  const local = address.slice(0, at);
  const labels = address.slice(at + 1).split('.');
  return local.length <= 64 && labels.every((label) => label.length <= 63 && !label.startsWith('-') && !label.endsWith('-'));
};

export const emailAddress = () => z.string().max(254).email()
  .refine(validLength, 'an email address: at most 64 characters before the @, domain labels of at most 63 that neither start nor end with a hyphen');
