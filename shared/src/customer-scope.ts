/**
 * Clients act for their customers by ids that are capabilities (a hold, a booking, an order id).
 * A client that also says whose request it is (`X-Customer-Id`, the customer it authenticated)
 * gets every change to another customer's record refused, as if the id did not exist: a customer
 * who learned someone else's id cannot release, confirm, cancel or pay it through that client.
 */
import type { Request } from 'express';
import { AppError } from './problem';

export const CUSTOMER_HEADER = 'x-customer-id';

/** Throws `notFound` when the request names a customer other than the record's. */
export function requireSameCustomer(req: Request, recordCustomerId: string, notFound: AppError): void {
  const claimed = req.header(CUSTOMER_HEADER);
  if (claimed !== undefined && claimed.trim() !== recordCustomerId) throw notFound;
}
