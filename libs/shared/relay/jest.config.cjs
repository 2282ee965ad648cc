/** @type {import('jest').Config} */
module.exports = {
  displayName: 'relay',
  preset: '../../../jest.preset.js',
};
