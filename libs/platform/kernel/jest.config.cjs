/** @type {import('jest').Config} */
module.exports = {
  displayName: 'platform-kernel',
  preset: '../../../jest.preset.js',
};
