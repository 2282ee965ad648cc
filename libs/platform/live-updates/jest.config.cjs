/** @type {import('jest').Config} */
module.exports = {
  displayName: 'platform-live-updates',
  preset: '../../../jest.preset.js',
};
