/** The providers app: the outside world (payment, inventory, shipping, email, SMS, refunds) with chaos. */
import { resolve } from 'node:path';
import { z } from 'zod';
import { createHttpApp, createLogger, exitOnStartupFailure, finishHttpApp, listen, loadConfig, port, shutdownOnSignals, sidecarEnv } from '@holdfast/shared';
import { loadChaosFile } from './chaos-config';
import { adminRouter, createProvidersState, providersRouter } from './providers.routes';

const config = (() => {
  try {
    return loadConfig({
      APP_PORT: port(3001),
      /** 127.0.0.1 locally; 0.0.0.0 in a pod. */
      APP_HOST: z.string().default('127.0.0.1'),
      LOG_LEVEL: sidecarEnv.LOG_LEVEL,
      PROVIDERS_CHAOS_FILE: z.string().default(resolve(__dirname, '..', 'chaos.yaml')),
      /** Overrides the seed in the chaos file. */
      PROVIDERS_CHAOS_SEED: z.coerce.number().int().optional(),
    });
  } catch (error) {
    return exitOnStartupFailure(undefined, error);
  }
})();

async function main() {
  const logger = createLogger('providers', config.LOG_LEVEL);
  const chaos = loadChaosFile(config.PROVIDERS_CHAOS_FILE);
  if (config.PROVIDERS_CHAOS_SEED !== undefined) chaos.seed = config.PROVIDERS_CHAOS_SEED;
  const state = createProvidersState(chaos);

  const { app } = createHttpApp({ name: 'providers', logger, jsonLimit: '20mb' });
  app.use('/admin', adminRouter(state));
  app.use(providersRouter(state, logger));
  finishHttpApp(app, logger);

  const server = await listen(app, config.APP_PORT, config.APP_HOST);
  logger.info({ url: `http://${config.APP_HOST}:${config.APP_PORT}`, chaosFile: config.PROVIDERS_CHAOS_FILE, seed: state.seed }, 'providers listening');
  shutdownOnSignals(logger, [() => server.close()]);
}

main().catch((error) => exitOnStartupFailure(undefined, error));
