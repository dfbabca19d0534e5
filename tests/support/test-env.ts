/**
 * Where the integration tests run: their own ports (so they never collide with `npm start`), their
 * own database (holdfast_test), fresh tokens. global-setup writes this to .data/test-run.json and
 * test files read it back.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../scripts/devstack/env';

export const TEST_DATA_DIR = join(ROOT, '.data', 'test');
export const TEST_LOG_DIR = join(TEST_DATA_DIR, 'logs');
const RUN_FILE = join(TEST_DATA_DIR, 'test-run.json');

/** All below Linux's ephemeral port range (32768-60999), so no outgoing connection can hold one first. */
export const TEST_PORTS = {
  placement: 25005, placementHealthz: 25080, placementMetrics: 25090, placementRaft: 25201,
  scheduler: 25006, schedulerHealthz: 25081, schedulerMetrics: 25091, schedulerEtcdClient: 25379, schedulerEtcdPeer: 25380,
  providers: 4001,
  skeletonApp: 4100, skeletonDaprHttp: 4500, skeletonDaprGrpc: 4501, skeletonMetrics: 4502,
  bookingApp: 4200, bookingDaprHttp: 4600, bookingDaprGrpc: 4601, bookingMetrics: 4602,
  fulfillmentApp: 4300, fulfillmentDaprHttp: 4700, fulfillmentDaprGrpc: 4701, fulfillmentMetrics: 4702,
  deliveryApp: 4400, deliveryDaprHttp: 4800, deliveryDaprGrpc: 4801, deliveryMetrics: 4802,
  /** The client gateway (a sidecar alone): what tests call as a client would. */
  gatewayDaprHttp: 4900, gatewayDaprGrpc: 4901, gatewayMetrics: 4902,
};

export interface TestRun {
  databaseUrl: string;
  redisHost: string;
  redisPort: string;
  redisPassword: string;
  daprApiToken: string;
  appApiToken: string;
  adminApiToken: string;
  managerApiToken: string;
  ticketSigningKey: string;
  paymentsWebhookSecret: string;
  sendgridApiKey: string;
  /** The client credential: the gateway's API token. */
  clientApiToken: string;
  orderDecisionKeys: string;
  /** The gateway's HTTP URL and gRPC port: clients' one way in. */
  gatewayUrl: string;
  gatewayGrpcPort: number;
  providersUrl: string;
  placementAddress: string;
  schedulerAddress: string;
}

export function saveTestRun(run: TestRun): void {
  mkdirSync(TEST_DATA_DIR, { recursive: true });
  writeFileSync(RUN_FILE, JSON.stringify(run), { mode: 0o600 });
}

export function loadTestRun(): TestRun {
  return JSON.parse(readFileSync(RUN_FILE, 'utf8')) as TestRun;
}
