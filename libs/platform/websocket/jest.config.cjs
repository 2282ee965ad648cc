/** @type {import('jest').Config} */
module.exports = {
  displayName: 'platform-websocket',
  preset: '../../../jest.preset.js',
  testTimeout: 30000,
};
