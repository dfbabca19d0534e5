import { formErrors, fulfillmentQuery, searchFormSchema, searchHref, sortHeaders, sortOrders } from './order-search';

describe('searchFormSchema', () => {
  it('drops the fields a form leaves empty', () => {
    expect(searchFormSchema.parse({ customer: '', status: '', minAmount: '', from: '', limit: '' })).toEqual({});
  });
  it('takes every filter', () => {
    expect(searchFormSchema.parse({ customer: ' cust-42 ', status: 'awaiting_approval', minAmount: '10', maxAmount: '99.5', from: '2026-01-01', to: '2026-01-31', limit: '10' }))
      .toEqual({ customer: 'cust-42', status: 'awaiting_approval', minAmount: 10, maxAmount: 99.5, from: '2026-01-01', to: '2026-01-31', limit: 10 });
  });
  it('refuses a range that ends before it starts, naming the field', () => {
    const amounts = searchFormSchema.safeParse({ minAmount: '50', maxAmount: '10' });
    expect(amounts.success).toBe(false);
    expect(formErrors(amounts.error!)).toEqual({ maxAmount: 'the lowest amount is above the highest' });
    const dates = searchFormSchema.safeParse({ from: '2026-02-01', to: '2026-01-01' });
    expect(formErrors(dates.error!)).toEqual({ to: 'the range ends before it starts' });
  });
  it('refuses an unknown status, a bad date and a page size it does not offer', () => {
    const result = searchFormSchema.safeParse({ status: 'lost', from: '2026-13-45', limit: '7' });
    expect(Object.keys(formErrors(result.error!)).sort()).toEqual(['from', 'limit', 'status']);
  });
});

describe('fulfillmentQuery', () => {
  it('asks fulfillment for the filters, dates as whole UTC days', () => {
    const query = fulfillmentQuery({ customer: 'cust-42', status: 'pending', minAmount: 10, maxAmount: 20, from: '2026-01-01', to: '2026-01-02', cursor: 'abc' });
    const params = new URLSearchParams(query.split('?')[1]);
    expect(query.startsWith('/workflows?')).toBe(true);
    expect(Object.fromEntries(params)).toEqual({
      customerId: 'cust-42', orderStatus: 'pending', minAmount: '10', maxAmount: '20',
      from: '2026-01-01T00:00:00.000Z', to: '2026-01-02T23:59:59.999Z', limit: '25', cursor: 'abc',
    });
  });
});

describe('sorting', () => {
  const orders = [
    { orderId: 'b', customerId: 'x', status: 'shipped', totalAmount: 20, createdAt: '2026-01-02T00:00:00Z' },
    { orderId: 'a', customerId: 'y', status: 'awaiting_approval', totalAmount: 5, createdAt: '2026-01-03T00:00:00Z' },
    { orderId: 'c', customerId: 'x', status: 'failed', totalAmount: 100, createdAt: '2026-01-01T00:00:00Z' },
  ];
  it('keeps the answer order without a column and sorts numbers as numbers', () => {
    expect(sortOrders(orders).map((o) => o.orderId)).toEqual(['b', 'a', 'c']);
    expect(sortOrders(orders, 'totalAmount').map((o) => o.orderId)).toEqual(['a', 'b', 'c']);
    expect(sortOrders(orders, 'totalAmount', 'desc').map((o) => o.orderId)).toEqual(['c', 'b', 'a']);
    expect(sortOrders(orders, 'createdAt').map((o) => o.orderId)).toEqual(['c', 'b', 'a']);
  });
  it('keeps ties in the answer order', () => {
    expect(sortOrders(orders, 'customerId').map((o) => o.orderId)).toEqual(['b', 'c', 'a']);
  });
  it('gives each header its aria-sort and a link that flips the current column', () => {
    const headers = sortHeaders({ customer: 'x', sort: 'totalAmount', dir: 'asc' });
    const total = headers.find((h) => h.column === 'totalAmount')!;
    expect(total.ariaSort).toBe('ascending');
    expect(total.href).toBe('/orders?customer=x&sort=totalAmount&dir=desc');
    const created = headers.find((h) => h.column === 'createdAt')!;
    expect(created.ariaSort).toBe('none');
    expect(created.href).toBe('/orders?customer=x&sort=createdAt&dir=asc');
  });
  it('builds the bare page link when nothing is set', () => {
    expect(searchHref({})).toBe('/orders');
  });
});
