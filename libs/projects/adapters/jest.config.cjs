/** @type {import('jest').Config} */
module.exports = {
  displayName: 'projects-adapters',
  preset: '../../../jest.preset.js',
  // One PostgreSQL server per run; tests get databases on it with createTestDatabase().
  globalSetup: '<rootDir>/../../platform/testing/jest.global-setup.mjs',
  globalTeardown: '<rootDir>/../../platform/testing/jest.global-teardown.mjs',
  testTimeout: 60000,
};
