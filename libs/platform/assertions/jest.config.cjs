/** @type {import('jest').Config} */
module.exports = {
  displayName: 'platform-assertions',
  preset: '../../../jest.preset.js',
};
