/** @type {import('jest').Config} */
module.exports = {
  displayName: 'application',
  preset: '../../../jest.preset.js',
};
