/**
 * Two projects: `unit` (pure logic, no sidecar, no database) and `integration` (real daprd,
 * placement, scheduler, PostgreSQL and Redis, started by tests/support/global-setup.ts).
 * `npm test` runs both, in band: the integration tests share ports and one control plane.
 */
const transform = { '^.+\\.ts$': ['ts-jest', {}] };

module.exports = {
  // Integration tests wait on real reminders, timers and retries; none of them is a speed target.
  testTimeout: 180000,
  reporters: ['default', '<rootDir>/tests/support/summary-reporter.js'],
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/shared/src/**/*.test.ts', '<rootDir>/apps/*/src/**/*.test.ts', '<rootDir>/tests/unit/**/*.test.ts'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/tests/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/tests/support/global-setup.ts',
      globalTeardown: '<rootDir>/tests/support/global-teardown.ts',
    },
  ],
};
