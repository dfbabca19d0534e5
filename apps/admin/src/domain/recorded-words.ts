/**
 * What the apps recorded, in words for a page (issue 13, item 7: never JSON on a page). Errors and
 * reasons are stored as the apps saw them: a provider's JSON body after "SendGrid answered 500: ",
 * the sidecar's `{"errorCode":…,"message":"error invoking output binding X: received status
 * code N"}`; saga steps carry their data as JSON. Pure: no express, no Dapr.
 */
import { formatMoney } from './format';

/** How long a recorded error may be on a page; the rest is cut with an ellipsis. */
export const MAX_ERROR_WORDS = 200;

/** Output bindings by the name a person knows them by. */
const BINDING_NAMES: Record<string, string> = {
  'refund-gateway': 'the refund gateway',
  'sms-gateway': 'the SMS gateway',
  'whatsapp-gateway': 'the WhatsApp gateway',
  'email-gateway': 'the email gateway',
};
const bindingName = (name: string): string => BINDING_NAMES[name] ?? `the ${name.replace(/[-_]+/g, ' ')}`;

const DAPR_BINDING = /error invoking output binding ([\w.-]+): received status code (\d{3})/i;

/** Dapr's "error invoking output binding X: received status code N" as "the X answered N". */
function bindingInWords(text: string): { words: string; binding?: string } {
  const match = DAPR_BINDING.exec(text);
  if (!match) return { words: text };
  return { words: text.replace(match[0], `${bindingName(match[1]!)} answered ${match[2]}`), binding: match[1]! };
}

/** The first balanced JSON object in text (strings respected): where it starts and ends. */
function findJsonObject(text: string): { start: number; end: number; value: unknown } | undefined {
  for (let start = text.indexOf('{'); start >= 0; start = text.indexOf('{', start + 1)) {
    let depth = 0;
    let inString = false;
    for (let i = start; i < text.length; i += 1) {
      const c = text[i];
      if (inString) {
        if (c === '\\') i += 1;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === '{') depth += 1;
      else if (c === '}' && --depth === 0) {
        try {
          return { start, end: i + 1, value: JSON.parse(text.slice(start, i + 1)) };
        } catch {
          break;
        }
      }
    }
  }
  return undefined;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim().length > 0 ? v.trim() : undefined);

/** The human message a JSON error body carries: message, error.message, detail, title, or its code and status. */
function messageOf(body: unknown): string | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const o = body as Record<string, unknown>;
  const nested = o.error !== null && typeof o.error === 'object' ? messageOf(o.error) : str(o.error);
  const words = str(o.message) ?? nested ?? str(o.detail) ?? str(o.title) ?? str(o.reason);
  if (words) return words;
  const code = str(o.errorCode) ?? str(o.code);
  const status = typeof o.status === 'number' ? o.status : typeof o.statusCode === 'number' ? o.statusCode : undefined;
  if (code && status !== undefined) return `${code} (status ${status})`;
  return code ?? (status !== undefined ? `status ${status}` : undefined);
}

/** A sentence as the clause after a colon: its first word lower-cased unless it is a name or an acronym ("SMS", "SendGrid"). */
export function asClause(s: string): string {
  const first = s.split(/[\s,.:;!?()]/)[0] ?? '';
  return /^[A-Z][a-z]*$/.test(first) && first !== 'I' ? s[0]!.toLowerCase() + s.slice(1) : s;
}
const lowerFirst = asClause;
const upperFirst = (s: string): string => (s ? s[0]!.toUpperCase() + s.slice(1) : s);
const cut = (s: string, max: number): string => (s.length > max ? `${s.slice(0, max - 1).trimEnd()}…` : s);

/**
 * Text with any embedded JSON error put in words, its first letter as it was: for a sentence that
 * quotes a recorded error ("… failed after every retry: the refund gateway answered 404.").
 */
export function embeddedErrorInWords(text: string, depth = 0): string {
  const found = findJsonObject(text);
  if (!found) {
    if (text.includes('{')) return bindingInWords(text.replace(/[{}"]/g, ' ').replace(/\s+/g, ' ').trim()).words;
    return bindingInWords(text).words;
  }
  let before = text.slice(0, found.start).trimEnd();
  const after = text.slice(found.end);
  const message = messageOf(found.value);
  let words: string;
  if (message) {
    const binding = bindingInWords(message);
    words = binding.binding ? binding.words : lowerFirst(binding.words);
    // "refund-gateway: the refund gateway answered 404": the sidecar's prefix says it twice.
    if (binding.binding && before.endsWith(`${binding.binding}:`)) before = before.slice(0, -binding.binding.length - 1).trimEnd();
  } else {
    // JSON with nothing to say: its scalar values, no braces or quotes.
    words = Object.entries(found.value as Record<string, unknown>).filter(([, v]) => v === null || typeof v !== 'object').map(([k, v]) => `${k} ${String(v)}`).join(', ');
  }
  const joined = before ? (before.endsWith(':') ? `${before} ${words}` : `${before}: ${words}`) : words;
  // The message already ends a sentence: the text's own full stop after the JSON is not doubled.
  const rest = /[.!?]$/.test(joined) && /^\s*\.\s*$/.test(after) ? '' : after;
  const result = `${joined}${rest}`.trim();
  // A second JSON object later in the text (rare): put in words too, a bounded number of times.
  return depth < 3 && result.includes('{') ? embeddedErrorInWords(result, depth + 1) : result;
}

/**
 * A recorded error or reason as a short sentence a person reads: never JSON, never Dapr's
 * binding jargon, at most MAX_ERROR_WORDS characters. Empty when nothing was recorded.
 */
export function recordedErrorInWords(text: string | null | undefined): string {
  if (!text || !text.trim()) return '';
  return cut(upperFirst(embeddedErrorInWords(text.trim())), MAX_ERROR_WORDS);
}

export interface Fact { label: string; value: string }

/** camelCase keys as words: authorizationId → "Authorization id". */
const labelOf = (key: string): string => upperFirst(key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').toLowerCase());

/** Keys that hold money in minor units (fulfillment's step data). */
const MONEY_KEYS = new Set(['amount', 'totalAmount', 'refundAmount', 'capturedAmount']);

/**
 * A step's data as a few facts: money with formatMoney, ids as they are, nested values flattened.
 * Amounts are minor units (the timeline's step data) unless `units` says major (fulfillment's order view).
 */
export function dataFacts(data: Record<string, unknown>, currency?: string, units: 'minor' | 'major' = 'minor'): Fact[] {
  const major = (n: number) => (units === 'minor' ? n / 100 : n);
  const facts: Fact[] = [];
  const walk = (prefix: string, value: unknown) => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) walk(prefix ? `${prefix} ${k}` : k, v);
      return;
    }
    const key = prefix.split(' ').at(-1) ?? prefix;
    const text = MONEY_KEYS.has(key) && typeof value === 'number'
      ? (currency ? formatMoney(major(value), currency) : major(value).toFixed(2))
      : Array.isArray(value) ? value.map(String).join(', ') : String(value);
    facts.push({ label: labelOf(prefix), value: cut(text, 120) });
  };
  walk('', data);
  return facts;
}

/**
 * A summary that ends in JSON data ("Step payment_capture completed: {"amount":5000,…}.") split
 * into its sentence ("Step payment_capture completed.") and the data's facts. A summary without
 * data comes back as it was, with no facts.
 */
export function summaryWithFacts(summary: string, currency?: string): { summary: string; facts: Fact[] } {
  const found = findJsonObject(summary);
  if (!found || found.value === null || typeof found.value !== 'object' || Array.isArray(found.value) || messageOf(found.value)) {
    return { summary: embeddedErrorInWords(summary), facts: [] };
  }
  if (!/^\s*\.?\s*$/.test(summary.slice(found.end))) return { summary: embeddedErrorInWords(summary), facts: [] };
  const sentence = summary.slice(0, found.start).replace(/[:\s]+$/, '');
  return { summary: `${sentence}.`, facts: dataFacts(found.value as Record<string, unknown>, currency) };
}

/** The currency a story's texts name ("Order of 50.00 EUR placed…"), for step amounts that carry none. */
export function currencyNamedIn(texts: readonly string[]): string | undefined {
  for (const text of texts) {
    const match = /\b\d+(?:[.,]\d+)?\s([A-Z]{3})\b/.exec(text);
    if (match) return match[1];
  }
  return undefined;
}
