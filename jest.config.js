/**
 * Six projects: `unit` (pure logic, no sidecar, no database), `k8s` (the Helm chart installed on a
 * real kube-apiserver, docs/kubernetes-validation.md), `integration` (real daprd,
 * placement, scheduler, PostgreSQL and Redis, started by tests/support/global-setup.ts),
 * `browser` (the admin console in Debian's headless Chromium against that same platform) and
 * `containers` (the images as the Helm chart runs them, docs/container-tier.md) and `drill` (the
 * short fault drill on a platform of its own, docs/reliability.md).
 * `npm test` (scripts/test-lanes.sh) runs them in two lanes side by side, each in band: integration
 * then browser (they share ports and one control plane), and beside them at nice 10 typecheck,
 * unit, k8s, containers and drill (no port or server of that platform). A plain `jest --runInBand` runs
 * all six in one lane, in the order of tests/support/project-sequencer.js.
 */
const transform = { '^.+\\.ts$': ['ts-jest', {}] };

module.exports = {
  // Integration tests wait on real reminders, timers and retries; none of them is a speed target.
  testTimeout: 180000,
  reporters: ['default', '<rootDir>/tests/support/summary-reporter.js'],
  testSequencer: '<rootDir>/tests/support/project-sequencer.js',
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/shared/src/**/*.test.ts', '<rootDir>/apps/*/src/**/*.test.ts', '<rootDir>/tests/unit/**/*.test.ts'],
    },
    {
      // The Helm chart against a real kube-apiserver on loopback (scripts/k8s/apiserver.sh): no
      // sidecars or databases, so it runs before the integration tier.
      displayName: 'k8s',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/tests/k8s/**/*.test.ts'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/tests/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/tests/support/global-setup.ts',
      globalTeardown: '<rootDir>/tests/support/global-teardown.ts',
    },
    {
      displayName: 'browser',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/tests/browser/**/*.test.ts'],
      // The same platform as integration: one global setup runs for both (jest runs each module once).
      globalSetup: '<rootDir>/tests/support/global-setup.ts',
      globalTeardown: '<rootDir>/tests/support/global-teardown.ts',
    },
    {
      // The images as the Helm chart runs them, in Docker containers on host networking, through
      // testcontainers (docs/container-tier.md). Its own ports (30000-30229, docs/ports.md) and servers: it shares
      // nothing with the integration platform, and runs last.
      displayName: 'containers',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/tests/containers/**/*.test.ts'],
      globalSetup: '<rootDir>/tests/support/containers/global-setup.ts',
      globalTeardown: '<rootDir>/tests/support/containers/global-teardown.ts',
    },
    {
      // The short fault drill (docs/reliability.md): a platform of its own (ports 27000-27399, its
      // own PostgreSQL, Redis, placement and scheduler), so it runs in the side lane too.
      displayName: 'drill',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/tests/drill/**/*.test.ts'],
    },
  ],
};
