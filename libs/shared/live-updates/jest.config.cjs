/** @type {import('jest').Config} */
module.exports = {
  displayName: 'live-updates',
  preset: '../../../jest.preset.js',
};
