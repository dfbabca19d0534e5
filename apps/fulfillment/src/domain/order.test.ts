import { amountProblems, carrierAddress, DEFAULT_CURRENCY, labelProgress, MAX_ORDER_AMOUNT, MAX_ORDER_AMOUNT_MINOR, mergeSteps, orderInputSchema, stepKey, toMinorUnits } from './order';

const order = {
  orderId: 'ord-1', customerId: 'c-1', customerEmail: 'ada@example.com',
  items: [{ sku: 'A', quantity: 3, price: 0.1 }, { sku: 'B', quantity: 1, price: 19.99 }],
  totalAmount: 20.29,
  shippingAddress: { line1: '1 Main St', city: 'Berlin', postalCode: '10115', country: 'DE' },
};

describe('order input', () => {
  it('when the total equals the items\' sum in cents, then there is no problem (whatever floating point says)', () => {
    // Three items at 0.10 make a total of 0.30 in our money (cents), though 0.1 * 3 is 0.30000000000000004 in floating point.
    expect(amountProblems({ items: [{ sku: 'A', quantity: 3, price: 0.1 }], totalAmount: 0.3 })).toEqual([]);
    expect(toMinorUnits(0.1) * 3 + toMinorUnits(19.99)).toBe(toMinorUnits(20.29));
    expect(amountProblems(order)).toEqual([]);
    expect(toMinorUnits(20.29)).toBe(2029);
  });

  it('when the total differs from the sum, then the problem names both', () => {
    expect(amountProblems({ ...order, totalAmount: 20.3 })).toEqual(["totalAmount 20.3 does not equal the items' sum 20.29"]);
  });

  it('when an amount has more than two decimals, an approval timeout is out of range or a field is unknown, then the schema refuses it', () => {
    expect(orderInputSchema.safeParse(order).success).toBe(true);
    expect(orderInputSchema.safeParse({ ...order, totalAmount: 20.291 }).success).toBe(false);
    expect(orderInputSchema.safeParse({ ...order, approvalTimeoutSeconds: 0 }).success).toBe(false);
    expect(orderInputSchema.safeParse({ ...order, approvalTimeoutSeconds: 86_401 }).success).toBe(false);
    expect(orderInputSchema.safeParse({ ...order, approvalTimeoutSeconds: 86_400 }).success).toBe(true);
    expect(orderInputSchema.safeParse({ ...order, discount: 5 }).success).toBe(false);
  });

  it('when an amount exceeds 10,000,000.00, then the schema refuses it naming the field; the largest amount fits an int4 column', () => {
    const paths = (input: unknown) => orderInputSchema.safeParse(input).error?.issues.map((i) => i.path.join('.'));
    const big = MAX_ORDER_AMOUNT + 0.01;
    expect(paths({ ...order, totalAmount: big })).toEqual(['totalAmount']);
    expect(paths({ ...order, items: [{ sku: 'A', quantity: 1, price: 21_474_836.47 }] })).toEqual(['items.0.price']);
    expect(new Set(paths({ ...order, downPayment: { amount: 1e308 } }))).toEqual(new Set(['downPayment.amount']));
    const largest = { ...order, items: [{ sku: 'A', quantity: 1, price: MAX_ORDER_AMOUNT }], totalAmount: MAX_ORDER_AMOUNT };
    expect(orderInputSchema.safeParse(largest).success).toBe(true);
    expect(amountProblems(largest)).toEqual([]);
    expect(toMinorUnits(MAX_ORDER_AMOUNT)).toBe(MAX_ORDER_AMOUNT_MINOR);
    expect(MAX_ORDER_AMOUNT_MINOR).toBeLessThan(2_147_483_647);
  });

  it('when the label reports its progress, then the order\'s progress moves between capture and label done', () => {
    expect(labelProgress(0)).toBe(60);
    expect(labelProgress(50)).toBe(75);
    expect(labelProgress(100)).toBe(90);
    expect(labelProgress(250)).toBe(90);
  });

  it('when a key is derived, then the same order and step give the same key', () => {
    expect(stepKey('ord-1', 'capture')).toBe('order-ord-1-capture');
  });
});

describe('the design document\'s order input (seed 002)', () => {
  const documentOrder = {
    orderId: 'ORD-123',
    customerId: 'CUST-456',
    items: [{ sku: 'ITEM-001', quantity: 2, price: 29.99 }, { sku: 'ITEM-002', quantity: 1, price: 49.99 }],
    totalAmount: 109.97,
    shippingAddress: { street: '123 Main St', city: 'San Francisco', state: 'CA', zip: '94105', country: 'US' },
    customerEmail: 'customer@example.com',
  };

  it('when the document\'s example is sent verbatim, then it is accepted, state kept, currency the default', () => {
    const parsed = orderInputSchema.parse(documentOrder);
    expect(parsed.shippingAddress).toEqual(documentOrder.shippingAddress);
    expect(parsed.currency).toBe(DEFAULT_CURRENCY);
    expect(amountProblems(parsed)).toEqual([]);
  });

  it('when the carrier gets the address, then street/zip become line1/postalCode and state stays; the earlier form is unchanged', () => {
    expect(carrierAddress(orderInputSchema.parse(documentOrder).shippingAddress))
      .toEqual({ line1: '123 Main St', city: 'San Francisco', state: 'CA', postalCode: '94105', country: 'US' });
    expect(carrierAddress(order.shippingAddress)).toEqual(order.shippingAddress);
  });

  it('when the earlier form carries a state, then it is accepted', () => {
    expect(orderInputSchema.safeParse({ ...order, shippingAddress: { ...order.shippingAddress, state: 'Berlin' } }).success).toBe(true);
  });

  it('when the street or the zip is missing in both forms, or the two forms disagree, then it is refused', () => {
    const { street: _s, ...noStreet } = documentOrder.shippingAddress;
    const { zip: _z, ...noZip } = documentOrder.shippingAddress;
    expect(orderInputSchema.safeParse({ ...documentOrder, shippingAddress: noStreet }).success).toBe(false);
    expect(orderInputSchema.safeParse({ ...documentOrder, shippingAddress: noZip }).success).toBe(false);
    expect(orderInputSchema.safeParse({ ...documentOrder, shippingAddress: { ...documentOrder.shippingAddress, line1: 'elsewhere' } }).success).toBe(false);
    expect(orderInputSchema.safeParse({ ...documentOrder, shippingAddress: { ...documentOrder.shippingAddress, postalCode: '94105' } }).success).toBe(true);
    expect(orderInputSchema.safeParse({ ...documentOrder, shippingAddress: { ...documentOrder.shippingAddress, unknown: 1 } }).success).toBe(false);
  });
});

describe('several completed steps written at once (a combined activity)', () => {
  it('when an auto-approved order\'s steps are merged, then the write leaves the order as recording each in turn would', () => {
    const merged = mergeSteps(
      [{ step: 'authorize', at: 't1', data: { authorizationId: 'auth_1' } }, { step: 'reserve', at: 't2' }, { step: 'capture', at: 't3' }, { step: 'label', at: 't4' }, { step: 'notify', at: 't5' }],
      [{ progress: 20, currentStep: 'approval' }, { status: 'processing', progress: 50, currentStep: 'capture' }, { status: 'processing', progress: 70, currentStep: 'label' }, { progress: 90, currentStep: 'notify' }, { progress: 100, currentStep: null }],
    );
    expect(merged).toEqual({
      records: [{ step: 'authorize', at: 't1', data: { authorizationId: 'auth_1' } }, { step: 'reserve', at: 't2' }, { step: 'capture', at: 't3' }, { step: 'label', at: 't4' }, { step: 'notify', at: 't5' }],
      progress: 100, currentStep: null, status: 'processing', approvedBy: null,
    });
  });

  it('when a step is recorded twice or progress goes back, then its last record stands in its last place and progress stays the highest', () => {
    const merged = mergeSteps(
      [{ step: 'label', at: 't1', data: { progress: 40 } }, { step: 'approval', at: 't2', data: { approvedBy: 'mia' } }, { step: 'label', at: 't3', data: { progress: 100 } }],
      [{ progress: 80, currentStep: 'label' }, { status: 'approved', progress: 30, currentStep: 'reserve', approvedBy: 'mia' }, { progress: 60, currentStep: 'notify' }],
    );
    expect(merged.records).toEqual([{ step: 'approval', at: 't2', data: { approvedBy: 'mia' } }, { step: 'label', at: 't3', data: { progress: 100 } }]);
    expect(merged).toMatchObject({ progress: 80, currentStep: 'notify', status: 'approved', approvedBy: 'mia' });
  });
});
