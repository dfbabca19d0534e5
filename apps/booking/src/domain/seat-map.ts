/** A venue's seat map from the admin's description: seat ids, labels, zones and who sits next to whom. */
import { z } from 'zod';

export const venueInputSchema = z.object({
  name: z.string().trim().min(1).max(200),
  sections: z.array(z.object({
    name: z.string().trim().min(1).max(50).regex(/^[A-Za-z0-9 ]+$/, 'letters, digits and spaces'),
    zone: z.string().trim().min(1).max(50),
    rows: z.array(z.object({
      label: z.string().trim().min(1).max(10).regex(/^[A-Za-z0-9]+$/, 'letters and digits'),
      seats: z.number().int().min(1).max(500),
    }).strict()).min(1).max(200),
  }).strict()).min(1).max(50),
}).strict().superRefine((venue, ctx) => {
  const names = venue.sections.map((s) => s.name.toLowerCase());
  if (new Set(names).size !== names.length) ctx.addIssue({ code: 'custom', path: ['sections'], message: 'section names must be unique' });
  venue.sections.forEach((section, i) => {
    const labels = section.rows.map((r) => r.label.toUpperCase());
    if (new Set(labels).size !== labels.length) ctx.addIssue({ code: 'custom', path: ['sections', i, 'rows'], message: 'row labels must be unique within a section' });
  });
});
export type VenueInput = z.infer<typeof venueInputSchema>;

export interface SeatDefinition {
  id: string;
  section: string;
  zone: string;
  rowLabel: string;
  number: number;
  label: string;
  adjacentIds: string[];
}

const slug = (text: string) => text.trim().toUpperCase().replace(/\s+/g, '_');

export const MAX_SEATS_PER_VENUE = 20_000;

/** Every seat id buildSeatMap makes: `<SECTION_SLUG>-<ROW>-<number>` (the section's name upper-cased, spaces as _). */
export const seatIdSchema = z.string().regex(/^[A-Z0-9_]{1,50}-[A-Z0-9]{1,10}-[1-9][0-9]{0,2}$/, 'a seat id such as STALLS-A-12');

/** Seats numbered from 1 along each row; a seat's neighbours are the seats beside it in its row. */
export function buildSeatMap(venue: VenueInput): SeatDefinition[] {
  const seats: SeatDefinition[] = [];
  for (const section of venue.sections) {
    for (const row of section.rows) {
      const id = (n: number) => `${slug(section.name)}-${row.label.toUpperCase()}-${n}`;
      for (let n = 1; n <= row.seats; n++) {
        seats.push({
          id: id(n), section: section.name, zone: section.zone, rowLabel: row.label.toUpperCase(), number: n,
          label: `${section.name} ${row.label.toUpperCase()}${n}`,
          adjacentIds: [n > 1 ? id(n - 1) : null, n < row.seats ? id(n + 1) : null].filter((x): x is string => x !== null),
        });
      }
    }
  }
  return seats;
}
