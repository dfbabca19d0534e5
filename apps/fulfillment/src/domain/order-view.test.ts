import { documentProgress, documentStepData, documentStepName } from './order-view';

describe('the status answer in the design document\'s shape', () => {
  it('when the saga has authorized, been approved and is capturing, then the steps carry the document\'s names, authId and decimal amounts', () => {
    const view = documentProgress({
      currentStep: 'capture',
      completedSteps: [
        { step: 'authorize', at: '2026-01-28T10:00:00.000Z', data: { authorizationId: 'AUTH-789', amount: 10997 } },
        { step: 'approval', at: '2026-01-28T10:01:30.000Z', data: { approvedBy: 'manager@company.com' } },
        { step: 'reserve', at: '2026-01-28T10:01:31.000Z', data: { reservationId: 'res_1' } },
      ],
      compensations: [],
    });
    expect(view).toEqual({
      currentStep: 'payment_capture',
      completedSteps: [
        { name: 'payment_authorization', status: 'completed', timestamp: '2026-01-28T10:00:00.000Z', data: { authId: 'AUTH-789', amount: 109.97 } },
        { name: 'manager_approval', status: 'completed', timestamp: '2026-01-28T10:01:30.000Z', data: { approvedBy: 'manager@company.com' } },
        { name: 'inventory_reservation', status: 'completed', timestamp: '2026-01-28T10:01:31.000Z', data: { reservationId: 'res_1' } },
      ],
      compensations: [],
    });
  });

  it('when every forward step is named, then each gets the document\'s name', () => {
    expect(['authorize', 'approval', 'reserve', 'capture', 'label', 'notify'].map(documentStepName))
      .toEqual(['payment_authorization', 'manager_approval', 'inventory_reservation', 'payment_capture', 'shipping_label', 'customer_notification']);
  });

  it('when a down-payment step or an unknown step is named, then it is snake_case in the same style', () => {
    expect(['down-payment-authorize', 'balance-capture', 'awaiting_payment', 'some-new-step'].map(documentStepName))
      .toEqual(['down_payment_authorization', 'balance_capture', 'down_payment', 'some_new_step']);
  });

  it('when an undo action refunded an amount, then it keeps its target and shows the amount in major units', () => {
    const view = documentProgress({ currentStep: null, completedSteps: [], compensations: [{ step: 'refundCapture', target: 'cap_1', at: '2026-01-28T10:05:00.000Z', data: { refundId: 'rf_1', amount: 4999 } }] });
    expect(view.currentStep).toBeNull();
    expect(view.compensations).toEqual([{ name: 'refundCapture', status: 'completed', timestamp: '2026-01-28T10:05:00.000Z', target: 'cap_1', data: { refundId: 'rf_1', amount: 49.99 } }]);
  });

  it('when a step has no data, then data is an empty object (never undefined), and non-numeric amounts pass through', () => {
    expect(documentStepData(undefined)).toEqual({});
    expect(documentStepData({ amount: 'n/a' })).toEqual({ amount: 'n/a' });
  });
});
