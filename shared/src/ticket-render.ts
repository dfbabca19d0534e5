/**
 * Tickets as people get them: the signed QR payload drawn as a PNG and a one-page PDF with every
 * seat's QR code. Shared: the booking app serves them and the delivery app attaches them to the
 * ticket email. The QR matrix comes from `qrcode`; the PNG (1-bit grayscale, node:zlib) and the
 * PDF's QR (filled rectangles in a content stream of their own, compressed by node:zlib) are drawn
 * here; pdf-lib writes the document, its text and fonts. qrcode's PNG renderer and pdf-lib's
 * per-shape API cost 10-25 ms a ticket, which capped the ticket emails at about 24 a second
 * (bench/delivery.ts); pdf-lib's operator objects for the rectangles, deflated by its JavaScript
 * zlib, were still 4 of an email's 7 CPU ms (issue 15), and qrcode's mask search 0.6. The text is
 * pdf-lib's operators in a stream of its own too (textWriter).
 */
import { crc32, deflateSync } from 'node:zlib';
import QRCode from 'qrcode';
import type { PDFDocument } from 'pdf-lib';

/** pdf-lib, loaded by the first PDF: about 7 MiB that an app rendering none (fulfillment) need not carry. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pdfLib = () => require('pdf-lib') as typeof import('pdf-lib');

// Error correction M: survives a scuffed phone screen, keeps the code small.
const ERROR_CORRECTION = 'M';
/**
 * One mask for every code. Any of the eight is valid QR (the format bits name it); the standard's
 * encoder tries all eight and keeps the one with the fewest scanner-unfriendly patterns, which was
 * nine tenths of the matrix's cost (0.72 of 0.80 ms). Readers decode every mask: the tests decode
 * ticket-shaped payloads back with jsQR.
 */
const MASK_PATTERN = 0;
/** zlib's fastest level: a tenth of a millisecond per code against 0.29 at the default, for 8 % more bytes. */
const FAST_DEFLATE = { level: 1 };
/** The quiet zone the QR standard asks for around the code, in modules (at least; the rest of the image is white too). */
const QUIET_ZONE = 4;

interface QrMatrix { size: number; dark(x: number, y: number): boolean }

/** The last few matrices: an email draws each seat's code twice (the inline PNG, the PDF), and QRCode.create costs about 2 ms. */
const recentMatrices = new Map<string, QrMatrix>();

export function qrMatrix(payload: string): QrMatrix {
  const known = recentMatrices.get(payload);
  if (known) return known;
  // One byte-mode segment: qrcode otherwise searches the cheapest mix of modes for the text (a
  // shortest-path search, about a fifth of the matrix's cost for our payloads: issue 15's profile).
  const { modules } = QRCode.create([{ data: Buffer.from(payload, 'utf8'), mode: 'byte' }], { errorCorrectionLevel: ERROR_CORRECTION, maskPattern: MASK_PATTERN });
  const matrix: QrMatrix = { size: modules.size, dark: (x, y) => Boolean(modules.get(y, x)) };
  recentMatrices.set(payload, matrix);
  if (recentMatrices.size > 256) recentMatrices.delete(recentMatrices.keys().next().value!);
  return matrix;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/**
 * A square 1-bit grayscale PNG of `size` pixels: the matrix centred, every module the same whole
 * number of pixels, white around it. A fractional scale (modules of 5 and 6 pixels side by side)
 * made some codes unreadable: one in about a few hundred payloads failed to decode at 320 px.
 */
export function encodeQrPng(matrix: QrMatrix, size: number): Buffer {
  const scale = Math.max(1, Math.floor(size / (matrix.size + 2 * QUIET_ZONE)));
  const offset = Math.floor((size - matrix.size * scale) / 2);
  const rowBytes = Math.ceil(size / 8);
  const stride = rowBytes + 1; // a filter-type byte (0: None), then the pixels
  const raw = Buffer.alloc(stride * size);
  const moduleAt = (pixel: number) => Math.floor((pixel - offset) / scale);
  const columns = Array.from({ length: size }, (_, x) => moduleAt(x));
  // Each module row is drawn once and copied to its other pixel rows (and a white row once).
  const drawn = new Map<number, number>();
  for (let y = 0; y < size; y++) {
    const my = moduleAt(y);
    const key = my >= 0 && my < matrix.size ? my : -1;
    const row = y * stride;
    const earlier = drawn.get(key);
    if (earlier !== undefined) {
      raw.copy(raw, row, earlier, earlier + stride);
      continue;
    }
    drawn.set(key, row);
    for (let x = 0; x < size; x++) {
      const mx = columns[x]!;
      const dark = key >= 0 && mx >= 0 && mx < matrix.size && matrix.dark(mx, key);
      if (!dark) raw[row + 1 + (x >> 3)]! |= 0x80 >> (x & 7); // 1 is white in grayscale
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 1; // bit depth
  header[9] = 0; // grayscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header), pngChunk('IDAT', deflateSync(raw, FAST_DEFLATE)), pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

export async function renderQrPng(payload: string, size = 320): Promise<Buffer> {
  return encodeQrPng(qrMatrix(payload), size);
}

export interface TicketSheet {
  bookingId: string;
  showTitle: string;
  startsAt: Date;
  venue: string;
  customerEmail: string;
  tickets: Array<{ seatLabel: string; qrPayload: string }>;
  /**
   * The PDF's creation date. Given, the same sheet renders to the same bytes (else pdf-lib stamps
   * "now"): a retried email must be byte-identical, or its provider sees another request under the same key.
   */
  issuedAt?: Date;
}

const A4: [number, number] = [595.28, 841.89];

/** One A4 page: the show, then a grid of QR codes with their seat labels (up to 12 per page). */
export async function renderTicketPdf(sheet: TicketSheet): Promise<Buffer> {
  if (sheet.tickets.length === 0) throw new Error('a ticket sheet needs at least one ticket');
  if (sheet.tickets.length > 12) throw new Error('a one-page ticket sheet holds at most 12 tickets');
  const { PDFDocument, StandardFonts, rgb } = pdfLib();
  const pdf = await PDFDocument.create(sheet.issuedAt ? { updateMetadata: false } : undefined);
  if (sheet.issuedAt) {
    pdf.setCreationDate(sheet.issuedAt);
    pdf.setModificationDate(sheet.issuedAt);
    pdf.setProducer('Holdfast');
  }
  pdf.setTitle(`Tickets ${sheet.showTitle}`);
  pdf.setSubject(`Booking ${sheet.bookingId}`);
  const page = pdf.addPage(A4);
  const text = textWriter(page, { bold: await pdf.embedFont(StandardFonts.HelveticaBold), regular: await pdf.embedFont(StandardFonts.Helvetica) }, rgb(0.1, 0.1, 0.12));
  text.line(sheet.showTitle, { x: 48, y: 780, size: 22, font: 'bold' });
  text.line(`${sheet.startsAt.toISOString().replace('T', ' ').slice(0, 16)} UTC  ·  ${sheet.venue}`, { x: 48, y: 756, size: 12, font: 'regular' });
  text.line(`Booking ${sheet.bookingId}  ·  ${sheet.customerEmail}`, { x: 48, y: 738, size: 9, font: 'regular' });

  const cell = 160;
  for (const [i, ticket] of sheet.tickets.entries()) {
    const x = 48 + (i % 3) * (cell + 12);
    const y = 560 - Math.floor(i / 3) * (cell + 24);
    drawQr(page, qrMatrix(ticket.qrPayload), x, y, cell);
    text.line(ticket.seatLabel, { x: x + 8, y: y - 14, size: 11, font: 'bold' });
  }
  text.end();
  return Buffer.from(await pdf.save({ useObjectStreams: false }));
}

type Page = ReturnType<PDFDocument['addPage']>;
type Font = Awaited<ReturnType<PDFDocument['embedFont']>>;

/**
 * The page's text in a content stream of its own, deflated by node:zlib. page.drawText writes the
 * same operators (pdf-lib's drawText), but into a stream pdf-lib deflates with pako, its JavaScript
 * zlib: a quarter of the PDF's CPU (issue 15's profile of the delivery app). One line per call: a
 * line break or tab in a show's title is a space here (page.drawText broke the line).
 */
function textWriter(page: Page, fonts: Record<'bold' | 'regular', Font>, color: ReturnType<ReturnType<typeof pdfLib>['rgb']>) {
  const { drawText, degrees } = pdfLib();
  const keys = { bold: page.node.newFontDictionary(fonts.bold.name, fonts.bold.ref), regular: page.node.newFontDictionary(fonts.regular.name, fonts.regular.ref) };
  const operators: string[] = [];
  return {
    line(value: string, at: { x: number; y: number; size: number; font: 'bold' | 'regular' }) {
      const oneLine = value.replace(/[\n\f\r\t\v\u0085\u2028\u2029]/g, ' ').replace(/[\b]/g, '');
      const drawn = drawText(fonts[at.font].encodeText(oneLine), { color, font: keys[at.font], size: at.size, rotate: degrees(0), xSkew: degrees(0), ySkew: degrees(0), x: at.x, y: at.y });
      for (const operator of drawn) operators.push(operator.toString());
    },
    end() {
      addDeflatedContent(page, operators);
    },
  };
}

/** PDF numbers for the rectangles: two decimals are a hundredth of a point, finer than any printer. */
const pdfNumber = (n: number) => String(Math.round(n * 100) / 100);

/**
 * The code as vector rectangles (one per run of dark modules in a row): sharp at any zoom or print
 * size. Written as operator text into a content stream of the page's own, between q and Q.
 */
function drawQr(page: Page, matrix: QrMatrix, x: number, y: number, width: number) {
  const unit = width / (matrix.size + 2 * QUIET_ZONE);
  const top = y + width - QUIET_ZONE * unit;
  const ops = ['q', '0 0 0 rg'];
  const h = pdfNumber(unit);
  for (let row = 0; row < matrix.size; row++) {
    let column = 0;
    while (column < matrix.size) {
      if (!matrix.dark(column, row)) {
        column++;
        continue;
      }
      let end = column;
      while (end < matrix.size && matrix.dark(end, row)) end++;
      ops.push(`${pdfNumber(x + (QUIET_ZONE + column) * unit)} ${pdfNumber(top - (row + 1) * unit)} ${pdfNumber((end - column) * unit)} ${h} re`);
      column = end;
    }
  }
  ops.push('f', 'Q');
  addDeflatedContent(page, ops);
}

/** Operator lines as a content stream of the page's own, deflated by node:zlib (pdf-lib's own streams go through pako). */
function addDeflatedContent(page: Page, operators: string[]) {
  const { context } = page.doc;
  page.node.addContentStream(context.register(context.stream(deflateSync(Buffer.from(operators.join('\n'), 'latin1'), FAST_DEFLATE), { Filter: 'FlateDecode' })));
}
