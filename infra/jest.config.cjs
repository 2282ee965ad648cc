/** @type {import('jest').Config} */
module.exports = {
  displayName: 'infra',
  preset: '../jest.preset.js',
  // A synth of a foundation stack takes seconds on the shared 2-core machines.
  testTimeout: 60000,
};
