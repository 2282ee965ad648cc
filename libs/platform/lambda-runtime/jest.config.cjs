/** @type {import('jest').Config} */
module.exports = {
  displayName: 'platform-lambda-runtime',
  preset: '../../../jest.preset.js',
  // One PostgreSQL server per run; each test file gets its own database on it.
  globalSetup: '<rootDir>/../testing/jest.global-setup.mjs',
  globalTeardown: '<rootDir>/../testing/jest.global-teardown.mjs',
  testTimeout: 60000,
};
