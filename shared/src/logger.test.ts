import { Writable } from 'node:stream';
import pino from 'pino';
import { REDACTED_PATHS } from './logger';
import { withCorrelationId, currentCorrelationId } from './correlation';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
  const logger = pino({ redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, mixin: () => (currentCorrelationId() ? { correlationId: currentCorrelationId() } : {}) }, stream);
  return { logger, lines };
}

describe('logger', () => {
  it('when secrets are logged, then they are redacted', () => {
    const { logger, lines } = capture();
    logger.info({ req: { headers: { authorization: 'Bearer abc', 'dapr-api-token': 'tok-123' } }, payment: { token: 'tok_visa' }, DATABASE_URL: 'postgresql://u:pw@h/db', password: 'pw' }, 'x');
    const line = lines.join('');
    for (const secret of ['Bearer abc', 'tok-123', 'tok_visa', 'u:pw@h', '"pw"']) expect(line).not.toContain(secret);
    expect(line).toContain('[redacted]');
  });

  it('when a line is written inside a request, then it carries the correlation id', () => {
    const { logger, lines } = capture();
    withCorrelationId('order-77', () => logger.info('inside'));
    expect(JSON.parse(lines[0]!)).toMatchObject({ correlationId: 'order-77', msg: 'inside' });
  });
});
