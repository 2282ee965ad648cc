/** @type {import('jest').Config} */
module.exports = {
  displayName: 'platform-testing',
  preset: '../../../jest.preset.js',
  // One PostgreSQL server per run; tests get databases on it with createTestDatabase().
  globalSetup: '<rootDir>/jest.global-setup.mjs',
  globalTeardown: '<rootDir>/jest.global-teardown.mjs',
  testTimeout: 60000,
};
