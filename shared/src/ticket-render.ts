/**
 * Tickets as people get them: the signed QR payload drawn as a PNG (qrcode) and a one-page PDF
 * with every seat's QR code (pdf-lib, pure JavaScript). Shared: the booking app serves them and the
 * delivery app attaches them to the ticket email.
 */
import QRCode from 'qrcode';
import { PDFDocument, StandardFonts, rgb } from 'pdf-lib';

export async function renderQrPng(payload: string, size = 320): Promise<Buffer> {
  // Error correction M: survives a scuffed phone screen, keeps the code small.
  return QRCode.toBuffer(payload, { type: 'png', errorCorrectionLevel: 'M', margin: 2, width: size });
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
  const pdf = await PDFDocument.create(sheet.issuedAt ? { updateMetadata: false } : undefined);
  if (sheet.issuedAt) {
    pdf.setCreationDate(sheet.issuedAt);
    pdf.setModificationDate(sheet.issuedAt);
    pdf.setProducer('Holdfast');
  }
  pdf.setTitle(`Tickets ${sheet.showTitle}`);
  pdf.setSubject(`Booking ${sheet.bookingId}`);
  const page = pdf.addPage(A4);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  const regular = await pdf.embedFont(StandardFonts.Helvetica);
  const ink = rgb(0.1, 0.1, 0.12);
  page.drawText(sheet.showTitle, { x: 48, y: 780, size: 22, font: bold, color: ink });
  page.drawText(`${sheet.startsAt.toISOString().replace('T', ' ').slice(0, 16)} UTC  ·  ${sheet.venue}`, { x: 48, y: 756, size: 12, font: regular, color: ink });
  page.drawText(`Booking ${sheet.bookingId}  ·  ${sheet.customerEmail}`, { x: 48, y: 738, size: 9, font: regular, color: ink });

  const cell = 160;
  for (const [i, ticket] of sheet.tickets.entries()) {
    const x = 48 + (i % 3) * (cell + 12);
    const y = 560 - Math.floor(i / 3) * (cell + 24);
    const png = await pdf.embedPng(await renderQrPng(ticket.qrPayload, 300));
    page.drawImage(png, { x, y, width: cell, height: cell });
    page.drawText(ticket.seatLabel, { x: x + 8, y: y - 14, size: 11, font: bold, color: ink });
  }
  return Buffer.from(await pdf.save());
}
