/** @type {import('jest').Config} */
module.exports = {
  displayName: 'platform-relay',
  preset: '../../../jest.preset.js',
};
