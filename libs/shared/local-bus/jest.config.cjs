/** @type {import('jest').Config} */
module.exports = {
  displayName: 'local-bus',
  preset: '../../../jest.preset.js',
};
