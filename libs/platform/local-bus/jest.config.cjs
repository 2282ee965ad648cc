/** @type {import('jest').Config} */
module.exports = {
  displayName: 'platform-local-bus',
  preset: '../../../jest.preset.js',
};
