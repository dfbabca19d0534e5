import { z } from 'zod';
import { ConfigError, daprAppEnv, loadConfig, port } from './config';

describe('config', () => {
  it('when the environment is valid, then values are parsed and defaults filled in', () => {
    const config = loadConfig(daprAppEnv(3000), { DATABASE_URL: 'postgresql://u:p@h:5432/db', DAPR_HTTP_PORT: '3600' });
    expect(config).toMatchObject({ APP_PORT: 3000, APP_HOST: '127.0.0.1', DAPR_HTTP_PORT: 3600, DAPR_GRPC_PORT: 50001, LOG_LEVEL: 'info' });
  });

  it('when several variables are wrong, then one error names every one of them', () => {
    let error: unknown;
    try {
      loadConfig({ ...daprAppEnv(3000), EXTRA: port(1) }, { DATABASE_URL: 'mysql://x', APP_PORT: 'eighty', EXTRA: '70000' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/DATABASE_URL/);
    expect(problems).toMatch(/APP_PORT/);
    expect(problems).toMatch(/EXTRA/);
  });

  it('when a token is too short to be a secret, then it is refused', () => {
    expect(() => loadConfig({ DAPR_API_TOKEN: z.string().min(16) }, { DAPR_API_TOKEN: 'abc' })).toThrow(/DAPR_API_TOKEN/);
  });
});
