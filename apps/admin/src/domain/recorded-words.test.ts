import { asClause, currencyNamedIn, dataFacts, embeddedErrorInWords, recordedErrorInWords, summaryWithFacts, MAX_ERROR_WORDS } from './recorded-words';

// Texts as the apps recorded them (seen on the console's pages, issue 13).
const SENDGRID_500 = 'SendGrid answered 500: {"error":{"type":"api_error","message":"The provider failed internally.","status":500}}';
const REFUND_404 = 'refund-gateway: {"errorCode":"ERR_INVOKE_OUTPUT_BINDING","message":"error invoking output binding refund-gateway: received status code 404"}';
const REVIEW_REASON = `refund booking-2d5b9945-c3d3-4b26-ab7c-02eace2f6712-refund failed after every retry: ${REFUND_404}`;

describe('recordedErrorInWords', () => {
  it("puts a provider's JSON body in words after what the app said", () => {
    expect(recordedErrorInWords(SENDGRID_500)).toBe('SendGrid answered 500: the provider failed internally.');
  });

  it("turns Dapr's output binding error into the gateway's answer, without saying the binding twice", () => {
    expect(recordedErrorInWords(REFUND_404)).toBe('The refund gateway answered 404');
    expect(recordedErrorInWords('sms-gateway: {"errorCode":"ERR_INVOKE_OUTPUT_BINDING","message":"error invoking output binding sms-gateway: received status code 400"}'))
      .toBe('The SMS gateway answered 400');
    expect(recordedErrorInWords('error invoking output binding refund-gateway: received status code 503')).toBe('The refund gateway answered 503');
  });

  it('keeps the sentence a reason quotes the error in', () => {
    expect(recordedErrorInWords(REVIEW_REASON)).toBe('Refund booking-2d5b9945-c3d3-4b26-ab7c-02eace2f6712-refund failed after every retry: the refund gateway answered 404');
    expect(embeddedErrorInWords(`Manual review opened (refund-job): ${REVIEW_REASON}.`))
      .toBe('Manual review opened (refund-job): refund booking-2d5b9945-c3d3-4b26-ab7c-02eace2f6712-refund failed after every retry: the refund gateway answered 404.');
  });

  it('reads detail, title, or a code and status when there is no message', () => {
    expect(recordedErrorInWords('booking answered 409: {"type":"about:blank","code":"SHOW_CANCELLED","detail":"The show was cancelled."}')).toBe('Booking answered 409: the show was cancelled.');
    expect(recordedErrorInWords('x: {"errorCode":"ERR_DIRECT_INVOKE","status":502}')).toBe('X: ERR_DIRECT_INVOKE (status 502)');
  });

  it('leaves plain words alone, strips what is not JSON after all, and keeps it short', () => {
    expect(recordedErrorInWords('refused: 400 bad number')).toBe('Refused: 400 bad number');
    expect(recordedErrorInWords('x {broken')).toBe('X broken');
    expect(recordedErrorInWords(null)).toBe('');
    expect(recordedErrorInWords('   ')).toBe('');
    const long = recordedErrorInWords(`no answer: ${'timeout '.repeat(60)}`);
    expect(long.length).toBe(MAX_ERROR_WORDS);
    expect(long.endsWith('…')).toBe(true);
  });

  it('never shows braces or quoted keys for any of the recorded examples', () => {
    for (const text of [SENDGRID_500, REFUND_404, REVIEW_REASON]) expect(recordedErrorInWords(text)).not.toMatch(/[{}"]|errorCode/);
  });
});

describe('summaryWithFacts', () => {
  it("splits a saga step's data into facts, money in the order's currency", () => {
    const { summary, facts } = summaryWithFacts('Step payment_authorization completed: {"amount":5000,"authorizationId":"auth_bbc9238030704464ab67"}.', 'EUR');
    expect(summary).toBe('Step payment_authorization completed.');
    expect(facts).toEqual([{ label: 'Amount', value: '€50.00' }, { label: 'Authorization id', value: 'auth_bbc9238030704464ab67' }]);
  });

  it('flattens nested data and shows amounts without a currency when none is known', () => {
    expect(dataFacts({ amount: 1234, label: { trackingNumber: 'trk_1' } })).toEqual([{ label: 'Amount', value: '12.34' }, { label: 'Label tracking number', value: 'trk_1' }]);
    expect(dataFacts({ amount: 50, authId: 'auth_1' }, 'EUR', 'major')).toEqual([{ label: 'Amount', value: '€50.00' }, { label: 'Auth id', value: 'auth_1' }]);
  });

  it('leaves a summary without data as it is, and puts an embedded error in words', () => {
    expect(summaryWithFacts('Order shipped.')).toEqual({ summary: 'Order shipped.', facts: [] });
    expect(summaryWithFacts(`Manual review opened (refund-job): ${REVIEW_REASON}`).summary).toMatch(/retry: the refund gateway answered 404$/);
  });

  it("finds the currency a story names", () => {
    expect(currencyNamedIn(['Seats held (1).', 'Order of 50.00 EUR placed by ada@example.com.'])).toBe('EUR');
    expect(currencyNamedIn(['nothing here'])).toBeUndefined();
  });
});

describe('asClause', () => {
  it('lower-cases a sentence joined after a colon, but not a name or an acronym', () => {
    expect(asClause('Say how the review was resolved.')).toBe('say how the review was resolved.');
    expect(asClause('SMS gateway down')).toBe('SMS gateway down');
    expect(asClause('SendGrid answered 500')).toBe('SendGrid answered 500');
    expect(asClause('A show cannot start in the past.')).toBe('a show cannot start in the past.');
  });
});
