/** @type {import('jest').Config} */
module.exports = {
  displayName: 'fault',
  preset: '../../jest.preset.js',
  // One PostgreSQL server per run; each test file gets its own database on it.
  globalSetup: '<rootDir>/../../libs/platform/testing/jest.global-setup.mjs',
  globalTeardown: '<rootDir>/../../libs/platform/testing/jest.global-teardown.mjs',
  // The fault tests start hosts and workers and load them hard: one file at a time, so that
  // they do not compete with each other for this machine's cores.
  maxWorkers: 1,
  testTimeout: 120000,
};
