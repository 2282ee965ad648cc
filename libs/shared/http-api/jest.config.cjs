/** @type {import('jest').Config} */
module.exports = {
  displayName: 'http-api',
  preset: '../../../jest.preset.js',
};
