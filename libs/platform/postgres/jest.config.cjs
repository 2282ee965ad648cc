/** @type {import('jest').Config} */
module.exports = {
  displayName: 'platform-postgres',
  preset: '../../../jest.preset.js',
  // One PostgreSQL server per run; tests get databases on it with createTestDatabase().
  globalSetup: '<rootDir>/../testing/jest.global-setup.mjs',
  globalTeardown: '<rootDir>/../testing/jest.global-teardown.mjs',
  testTimeout: 60000,
};
