/** @type {import('jest').Config} */
module.exports = {
  displayName: 'lambda-ws-connect',
  preset: '../../jest.preset.js',
  // One PostgreSQL server per run; each test file gets its own database on it.
  globalSetup: '<rootDir>/../../libs/platform/testing/jest.global-setup.mjs',
  globalTeardown: '<rootDir>/../../libs/platform/testing/jest.global-teardown.mjs',
  testTimeout: 60000,
};
