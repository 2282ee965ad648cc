/** @type {import('jest').Config} */
module.exports = {
  displayName: 'websocket',
  preset: '../../../jest.preset.js',
  testTimeout: 30000,
};
