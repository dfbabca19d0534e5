/** Shows, venues and seats in PostgreSQL, as plain objects. */
import { LRUCache } from 'lru-cache';
import { Prisma, type PrismaClient, type SeatModel as Seat, type ShowModel as Show } from '@holdfast/shared';
import { buildSeatMap, type VenueInput } from '../domain/seat-map';
import { policyHash, type Policy } from '../domain/policy';

export interface NewShow {
  title: string;
  startsAt: Date;
  venue: VenueInput;
  prepLeadMinutes?: number;
  /** Minutes before showtime after which a customer cannot cancel; unset: the platform's CANCELLATION_CUTOFF_MINUTES. */
  cancellationCutoffMinutes?: number;
  policy: Policy;
}

/** What an admin's show cancellation found and queued; a repeated cancellation answers the same. */
export interface CancellationSummary {
  showId: string;
  status: 'CANCELLED';
  reason: string;
  cancelledAt: string;
  /** Confirmed bookings at the moment of cancellation, and their seats. */
  bookings: number;
  ticketsSold: number;
  smsQueued: number;
  emailsQueued: number;
  /** Every confirmed booking is refunded when more than the threshold of tickets were sold. */
  refundsQueued: number;
  refundThreshold: number;
  /** Who cancelled it (the body's cancelledBy or the console's X-Holdfast-Actor), when named. */
  cancelledBy?: string;
}

export interface ShowsCacheOptions {
  /** How long a show read for a new hold may be reused (SHOW_CACHE_TTL_MS); 0 reads every time. */
  showTtlMs: number;
  /** How many venue seats to keep (SEAT_CACHE_SIZE): a seat's zone and neighbours never change. */
  seatEntries: number;
}

export function createShowsRepository(prisma: PrismaClient, cache: ShowsCacheOptions = { showTtlMs: 0, seatEntries: 0 }) {
  // Every hold needs its show and its seats' facts: two queries that made up much of the booking
  // app's CPU under load. A venue's seats are immutable; a show's policy and status change
  // rarely, and a stale read is harmless (confirmation re-reads the policy and re-quotes on drift;
  // the ShowActor refuses holds on a cancelled show).
  const shows = cache.showTtlMs > 0 ? new LRUCache<string, Show>({ max: 10_000, ttl: cache.showTtlMs }) : undefined;
  const seats = cache.seatEntries > 0 ? new LRUCache<string, Seat>({ max: cache.seatEntries }) : undefined;
  const seatKey = (venueId: string, seatId: string) => `${venueId}/${seatId}`;
  /** Venues whose seats were all read into the cache once (an id still missing afterwards is unknown, or was evicted). */
  const venuesRead = new Set<string>();

  return {
    async create(show: NewShow, correlationId?: string, createdBy?: string) {
      const seats = buildSeatMap(show.venue);
      return prisma.$transaction(async (tx) => {
        const venue = await tx.venue.create({ data: { name: show.venue.name } });
        // One set-based statement with one array per column: Prisma's createMany built 20,000 rows
        // on the event loop for seconds (health checks failed, the sidecar refused other requests)
        // and outlived its transaction. Seat ids hold no comma (seat-map.ts), so neighbours travel
        // as one joined string per seat.
        await tx.$executeRaw`
          INSERT INTO seats (venue_id, id, section, zone, row_label, number, label, adjacent_ids)
          SELECT ${venue.id}::uuid, s.id, s.section, s.zone, s.row_label, s.number, s.label, string_to_array(s.adjacent, ',')
          FROM unnest(${seats.map((x) => x.id)}::text[], ${seats.map((x) => x.section)}::text[], ${seats.map((x) => x.zone)}::text[],
                      ${seats.map((x) => x.rowLabel)}::text[], ${seats.map((x) => x.number)}::int[], ${seats.map((x) => x.label)}::text[],
                      ${seats.map((x) => x.adjacentIds.join(','))}::text[])
            AS s(id, section, zone, row_label, number, label, adjacent)`;
        const created = await tx.show.create({
          data: {
            venueId: venue.id, title: show.title, startsAt: show.startsAt, prepLeadMinutes: show.prepLeadMinutes, cancellationCutoffMinutes: show.cancellationCutoffMinutes,
            policy: show.policy as Prisma.InputJsonValue, policyVersion: 1, policyHash: policyHash(show.policy),
          },
        });
        await tx.auditLog.create({ data: { entity: 'show', entityId: created.id, action: 'created', toState: 'SCHEDULED', correlationId, data: { seatCount: seats.length, ...(createdBy ? { createdBy } : {}) } } });
        return { showId: created.id, seatCount: seats.length };
      // 20,000 seats take about a second; Prisma's default 5 s leaves too little on a busy machine.
      }, { timeout: 60_000, maxWait: 10_000 });
    },

    /** A new policy version when the terms changed; the same version when they did not. */
    async updatePolicy(showId: string, policy: Policy, correlationId?: string) {
      const hash = policyHash(policy);
      return prisma.$transaction(async (tx) => {
        const show = await tx.show.findUnique({ where: { id: showId } });
        if (!show) return null;
        if (show.policyHash === hash) return { showId, policyVersion: show.policyVersion, policyHash: hash, changed: false };
        const updated = await tx.show.update({
          where: { id: showId, policyVersion: show.policyVersion },
          data: { policy: policy as Prisma.InputJsonValue, policyHash: hash, policyVersion: { increment: 1 } },
        });
        await tx.auditLog.create({ data: { entity: 'show', entityId: showId, action: 'policy-changed', correlationId, data: { policyVersion: updated.policyVersion, policyHash: hash, previousHash: show.policyHash } } });
        return { showId, policyVersion: updated.policyVersion, policyHash: hash, changed: true };
      });
    },

    list() {
      return prisma.show.findMany({ orderBy: { startsAt: 'asc' }, take: 500, include: { venue: { select: { name: true } } } });
    },

    find(showId: string) {
      return prisma.show.findUnique({ where: { id: showId }, include: { venue: true } });
    },

    /** The show as it is now, without its venue (one query: `find` adds the venue's). Confirmations price with it. */
    async findCurrent(showId: string): Promise<Show | null> {
      // Raw SQL, as the HoldActor's row read: the same object as show.findUnique's for 0.34-0.54 CPU ms a read against 0.48-0.87
      // (issue 15). Every column of the model is listed: a column added to shows must be added here too.
      const [show] = await prisma.$queryRaw<Show[]>`
        SELECT id, venue_id AS "venueId", title, starts_at AS "startsAt", status::text AS status, policy, policy_version AS "policyVersion",
               policy_hash AS "policyHash", prep_lead_minutes AS "prepLeadMinutes", cancellation_cutoff_minutes AS "cancellationCutoffMinutes",
               created_at AS "createdAt", cancelled_at AS "cancelledAt", cancellation_reason AS "cancellationReason", cancellation_summary AS "cancellationSummary"
        FROM shows WHERE id = ${showId}::uuid`;
      return show ?? null;
    },

    /** The venue's kitchen lead time, for a show that sets none of its own. */
    async venuePrepLeadMinutes(venueId: string): Promise<number> {
      return (await prisma.venue.findUniqueOrThrow({ where: { id: venueId }, select: { prepLeadMinutes: true } })).prepLeadMinutes;
    },

    /** The show as a new hold sees it: possibly up to SHOW_CACHE_TTL_MS old. */
    async findForHold(showId: string): Promise<Show | null> {
      const cached = shows?.get(showId);
      if (cached) return cached;
      const show = await prisma.show.findUnique({ where: { id: showId } });
      if (show) shows?.set(showId, show);
      return show;
    },

    /** Forget a show read for holds (after its policy or status changed in this process). */
    forgetShow(showId: string) {
      shows?.delete(showId);
    },

    seats(venueId: string) {
      return prisma.seat.findMany({ where: { venueId }, orderBy: [{ section: 'asc' }, { rowLabel: 'asc' }, { number: 'asc' }] });
    },

    /** Only the named seats: a hold must not read a 20,000-seat map to find its three seats. */
    async seatsById(venueId: string, seatIds: string[]): Promise<Seat[]> {
      // The first miss in a venue reads all its seats (at most 20,000, once per process while they
      // fit the cache): a ticket drop asks for a different seat with nearly every hold (issue 15).
      if (seats && !venuesRead.has(venueId) && seatIds.some((id) => !seats.has(seatKey(venueId, id)))) {
        venuesRead.add(venueId);
        const all = await prisma.seat.findMany({ where: { venueId } });
        if (all.length <= cache.seatEntries / 2) for (const seat of all) seats.set(seatKey(venueId, seat.id), seat);
      }
      const known = seats ? seatIds.map((id) => seats.get(seatKey(venueId, id))).filter((s): s is Seat => s !== undefined) : [];
      if (known.length === seatIds.length) return known;
      const missing = seatIds.filter((id) => !seats?.has(seatKey(venueId, id)));
      const found = await prisma.seat.findMany({ where: { venueId, id: { in: missing } } });
      for (const seat of found) seats?.set(seatKey(venueId, seat.id), seat);
      return [...known, ...found];
    },

    /**
     * Cancels the show once: marks it CANCELLED and, in the same transaction, writes the outbox
     * events that tell every customer with a confirmed booking (SMS when we have a phone, email
     * always) and, above `refundThreshold` tickets sold, refund every booking. A repeated call
     * finds the show cancelled and returns the first summary, writing nothing.
     */
    async cancel(showId: string, reason: string, refundThreshold: number, correlationId?: string, cancelledBy?: string): Promise<CancellationSummary | null> {
      // A show with thousands of bookings writes thousands of outbox rows in this transaction:
      // more than Prisma's 5 s default may be needed.
      const summary = await prisma.$transaction(async (tx) => {
        // The row lock orders concurrent cancellations: the second sees the first's result.
        const [locked] = await tx.$queryRaw<Array<{ status: string; title: string; starts_at: Date; cancellation_summary: CancellationSummary | null }>>`
          SELECT status, title, starts_at, cancellation_summary FROM shows WHERE id = ${showId}::uuid FOR UPDATE`;
        if (!locked) return null;
        if (locked.status === 'CANCELLED' && locked.cancellation_summary) return locked.cancellation_summary;
        const bookings = await tx.booking.findMany({ where: { showId, status: 'CONFIRMED' }, select: { id: true, customerEmail: true, customerPhone: true, amount: true, currency: true, _count: { select: { seats: true } }, payments: { where: { status: 'CAPTURED' }, select: { id: true, captureId: true, method: true, amount: true, currency: true, recordedBy: true } } } });
        const ticketsSold = bookings.reduce((n, b) => n + b._count.seats, 0);
        const refundAll = ticketsSold > refundThreshold;
        const cancelledAt = new Date();
        const result: CancellationSummary = {
          showId, status: 'CANCELLED', reason, cancelledAt: cancelledAt.toISOString(), bookings: bookings.length, ticketsSold,
          smsQueued: bookings.filter((b) => b.customerPhone).length, emailsQueued: bookings.length, refundsQueued: refundAll ? bookings.filter((b) => b.payments.some((p) => p.captureId)).length : 0, refundThreshold,
        };
        // Who cancelled is kept on the show and in the audit line, not in the show.cancelled event.
        const recorded: CancellationSummary = cancelledBy ? { ...result, cancelledBy } : result;
        await tx.show.update({ where: { id: showId }, data: { status: 'CANCELLED', cancelledAt, cancellationReason: reason, cancellationSummary: recorded as unknown as Prisma.InputJsonValue } });
        await tx.outboxEvent.create({ data: { aggregateId: showId, type: 'show.cancelled', correlationId, payload: result as unknown as Prisma.InputJsonValue } });
        if (bookings.length > 0) {
          const startsAt = locked.starts_at.toISOString();
          // Per booking, in this order (the relay keeps it): the notice (SMS, email), then the refund.
          await tx.outboxEvent.createMany({
            data: bookings.flatMap((b) => {
              // refundKey: the same key as the customer's own cancellation, so the booking is never refunded twice.
              const refundKey = `booking-${b.id}-refund`;
              const captureId = b.payments.find((p) => p.captureId)?.captureId;
              const notice = {
                aggregateId: b.id, type: 'booking.show-cancelled', correlationId,
                payload: { bookingId: b.id, showId, showTitle: locked.title, startsAt, reason, customerEmail: b.customerEmail, customerPhone: b.customerPhone, refund: refundAll && Boolean(captureId), refundKey, amount: b.amount, currency: b.currency },
              };
              if (!refundAll || !captureId) return [notice];
              const refund = {
                aggregateId: b.id, type: 'refund.requested', correlationId,
                payload: { refundKey, bookingId: b.id, showId, amount: b.amount, currency: b.currency, paymentReference: captureId, reason: `show cancelled: ${reason}` },
              };
              return [notice, refund];
            }),
          });
        }
        // Paid at a box office (seed 004's offline payments): no provider can refund it, the box office pays it back by hand.
        const offlinePaid = refundAll ? bookings.flatMap((b) => b.payments.filter((p) => p.method !== 'CARD').map((p) => ({ bookingId: b.id, p }))) : [];
        if (offlinePaid.length > 0) {
          await tx.manualReview.createMany({
            skipDuplicates: true,
            data: offlinePaid.map(({ bookingId, p }) => ({
              kind: 'OFFLINE_REFUND', bookingId, reason: `show cancelled: pay back ${p.amount} ${p.currency} (${p.method.toLowerCase()}) at the box office`,
              data: { paymentId: p.id, method: p.method, amount: p.amount, currency: p.currency, recordedBy: p.recordedBy },
            })),
          });
        }
        await tx.auditLog.create({ data: { entity: 'show', entityId: showId, action: 'cancelled', fromState: locked.status, toState: 'CANCELLED', correlationId, data: recorded as unknown as Prisma.InputJsonValue } });
        return recorded;
      }, { timeout: 120_000, maxWait: 10_000 });
      shows?.delete(showId);
      return summary;
    },

    /**
     * How far the delivery app has come with a cancelled show's notices and refunds, from its
     * records (notifications, refund_jobs): a message not recorded yet is still on its way.
     */
    async deliveryProgress(showId: string, summary: Pick<CancellationSummary, 'smsQueued' | 'emailsQueued' | 'refundsQueued'>) {
      const [messages, refunds] = await Promise.all([
        // An admin's resend of a notice (issue 13) is not one more notice of the cancellation.
        prisma.notification.groupBy({ by: ['channel', 'status'], where: { showId, topic: 'booking.show-cancelled', resendOf: null }, _count: { _all: true } }),
        prisma.refundJob.groupBy({ by: ['status'], where: { showId }, _count: { _all: true } }),
      ]);
      const manualReview = await prisma.refundJob.count({ where: { showId, status: 'FAILED', manualReviewId: { not: null } } });
      const count = (channel: string | null, status: string) => messages.filter((m) => (channel === null || m.channel === channel) && m.status === status).reduce((n, m) => n + m._count._all, 0);
      const byChannel = (channel: 'sms' | 'email', queued: number) => {
        const sent = count(channel, 'SENT');
        const failed = count(channel, 'FAILED');
        return { queued, sent, failed, pending: Math.max(0, queued - sent - failed) };
      };
      const refundCount = (status: string) => refunds.find((r) => r.status === status)?._count._all ?? 0;
      const processed = refundCount('PROCESSED');
      const failed = refundCount('FAILED');
      return {
        messages: {
          sent: count(null, 'SENT'), failed: count(null, 'FAILED'), sms: byChannel('sms', summary.smsQueued), email: byChannel('email', summary.emailsQueued),
          // A second phone channel when the delivery app is configured for it (NOTICE_PHONE_CHANNELS).
          ...(messages.some((m) => m.channel === 'whatsapp') ? { whatsapp: { sent: count('whatsapp', 'SENT'), failed: count('whatsapp', 'FAILED') } } : {}),
        },
        refunds: { queued: summary.refundsQueued, processed, failed, manualReview, pending: Math.max(0, summary.refundsQueued - processed - failed) },
      };
    },

    /** What a cancelled show still has to let go of: its active holds and its pending kitchen orders. */
    async leftovers(showId: string) {
      const [holds, kitchenOrders] = await Promise.all([
        prisma.hold.findMany({ where: { showId, status: 'ACTIVE' }, select: { id: true } }),
        prisma.concessionOrder.findMany({ where: { showId, status: 'PENDING' }, select: { id: true } }),
      ]);
      return { holdIds: holds.map((h) => h.id), kitchenOrderIds: kitchenOrders.map((o) => o.id) };
    },

    claims(showId: string) {
      return prisma.seatClaim.findMany({ where: { showId } });
    },
    /**
     * Which of `holdIds` hold SOLD claims on the show (their holds were confirmed): a confirmation
     * turns its claims SOLD in PostgreSQL only, and the ShowActor learns it here, at its sweep.
     */
    async soldAmong(showId: string, holdIds: string[]): Promise<string[]> {
      const rows = await prisma.$queryRaw<Array<{ holdId: string }>>`SELECT DISTINCT hold_id::text AS "holdId" FROM seat_claims
        WHERE hold_id = ANY(${holdIds}::uuid[]) AND show_id = ${showId}::uuid AND kind = 'SOLD'`;
      return rows.map((row) => row.holdId);
    },
    /** The show's seat claims, a held seat's with its hold's expiry: what the ShowActor loads when it activates (the sweep's due holds). */
    async claimsWithExpiry(showId: string): Promise<Array<{ seatId: string; holdId: string; kind: 'HELD' | 'SOLD'; expiresAt: Date | null }>> {
      return prisma.$queryRaw`SELECT c.seat_id AS "seatId", c.hold_id::text AS "holdId", c.kind::text AS kind, h.expires_at AS "expiresAt"
        FROM seat_claims c LEFT JOIN holds h ON c.kind = 'HELD' AND h.id = c.hold_id WHERE c.show_id = ${showId}::uuid`;
    },
  };
}
export type ShowsRepository = ReturnType<typeof createShowsRepository>;
