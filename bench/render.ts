/**
 * Ticket rendering alone, no sidecar: CPU ms per QR matrix, per 320-px PNG, per one-seat PDF and
 * per whole ticket email (text, HTML, PNG and PDF), in this process. `node --import tsx
 * bench/render.ts [--count 1000]`; prints a table. bench:all measures the email end to end.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { encodeQrPng, qrMatrix, renderTicketPdf } from '../shared/src/ticket-render';
import { renderTicketEmail } from '../apps/delivery/src/handlers/ticket-email.handler';

const { values } = parseArgs({ options: { count: { type: 'string', default: '1000' } } });
const count = Number(values.count);
const payload = () => `HF1.${Buffer.from(JSON.stringify({ b: randomUUID(), sh: randomUUID(), s: 'FLOOR-A-1' })).toString('base64url')}.${randomBytes(32).toString('base64url')}`;
const event = () => ({
  id: randomUUID(), time: new Date().toISOString(), data: {
    bookingId: randomUUID(), holdId: randomUUID(), showId: randomUUID(), status: 'CONFIRMED', amount: 4500, currency: 'EUR', seats: ['FLOOR-A-1'], customerEmail: 'bench@example.com', customerPhone: null,
    tickets: [{ seatId: 'FLOOR-A-1', seatLabel: 'Floor A1', qrPayload: payload() }], show: { title: 'Benchmark', startsAt: new Date().toISOString(), venue: 'Bench Hall' },
  },
});

/** CPU ms per call of `work`, each call on fresh input (a warm-up of a fifth first). */
async function cpuMsPer<T>(make: () => T, work: (input: T) => unknown): Promise<number> {
  for (let i = 0; i < Math.ceil(count / 5); i++) await work(make());
  const inputs = Array.from({ length: count }, make);
  const before = process.cpuUsage();
  for (const input of inputs) await work(input);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / count;
}

(async () => {
  const matrix = qrMatrix(payload());
  const rows: Array<[string, number]> = [
    ['QR matrix (byte mode, fixed mask)', await cpuMsPer(payload, (p) => qrMatrix(p))],
    ['PNG 320 px (matrix cached)', await cpuMsPer(() => matrix, (m) => encodeQrPng(m, 320))],
    ['PDF, one seat (matrix included)', await cpuMsPer(payload, (p) => renderTicketPdf({ bookingId: randomUUID(), showTitle: 'Benchmark', startsAt: new Date(), venue: 'Bench Hall', customerEmail: 'bench@example.com', tickets: [{ seatLabel: 'Floor A1', qrPayload: p }], issuedAt: new Date() }))],
    ['ticket email, one seat (all of it)', await cpuMsPer(event, (e) => renderTicketEmail(e as never))],
  ];
  console.log(`| rendering (${count} each) | CPU ms |\n|---|---|`);
  for (const [name, ms] of rows) console.log(`| ${name} | ${ms.toFixed(3)} |`);
})();
