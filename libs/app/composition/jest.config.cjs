/** @type {import('jest').Config} */
module.exports = {
  displayName: 'app-composition',
  preset: '../../../jest.preset.js',
};
