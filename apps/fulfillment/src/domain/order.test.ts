import { amountProblems, labelProgress, orderInputSchema, stepKey, toMinorUnits } from './order';

const order = {
  orderId: 'ord-1', customerId: 'c-1', customerEmail: 'ada@example.com',
  items: [{ sku: 'A', quantity: 3, price: 0.1 }, { sku: 'B', quantity: 1, price: 19.99 }],
  totalAmount: 20.29,
  shippingAddress: { line1: '1 Main St', city: 'Berlin', postalCode: '10115', country: 'DE' },
};

describe('order input', () => {
  it('when the total equals the items\' sum in cents, then there is no problem (whatever floating point says)', () => {
    expect(0.1 * 3).not.toBe(0.3);
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
