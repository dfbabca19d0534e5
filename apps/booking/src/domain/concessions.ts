/** Concession orders: what they cost, and when the kitchen starts on them. */
export interface ConcessionLine {
  sku: string;
  quantity: number;
}

export interface PricedConcessions {
  lines: Array<ConcessionLine & { name: string; price: number }>;
  total: number;
}

export type ConcessionPricing = { ok: true; value: PricedConcessions } | { ok: false; unknownSkus: string[] };

/** Quantities of a repeated sku add up; a sku missing from the catalogue (or inactive) fails the order. */
export function priceConcessions(order: ConcessionLine[], catalogue: Array<{ sku: string; name: string; price: number; active: boolean }>): ConcessionPricing {
  const bySku = new Map(catalogue.filter((c) => c.active).map((c) => [c.sku, c]));
  const merged = new Map<string, number>();
  for (const line of order) merged.set(line.sku, (merged.get(line.sku) ?? 0) + line.quantity);
  const unknownSkus = [...merged.keys()].filter((sku) => !bySku.has(sku));
  if (unknownSkus.length > 0) return { ok: false, unknownSkus };
  const lines = [...merged].map(([sku, quantity]) => ({ sku, quantity, name: bySku.get(sku)!.name, price: bySku.get(sku)!.price }));
  return { ok: true, value: { lines, total: lines.reduce((sum, l) => sum + l.price * l.quantity, 0) } };
}

/** The kitchen starts `prepLeadMinutes` before the show. */
export function prepStartsAt(showStartsAt: Date, prepLeadMinutes: number): Date {
  return new Date(showStartsAt.getTime() - prepLeadMinutes * 60_000);
}
