/** @type {import('jest').Config} */
module.exports = {
  displayName: 'app-composition',
  preset: '../../../jest.preset.js',
  // One PostgreSQL server per run; each test file gets its own database on it.
  globalSetup: '<rootDir>/../../platform/testing/jest.global-setup.mjs',
  globalTeardown: '<rootDir>/../../platform/testing/jest.global-teardown.mjs',
  testTimeout: 60000,
};
