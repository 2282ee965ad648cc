/** @type {import('jest').Config} */
module.exports = {
  displayName: 'events',
  preset: '../../../jest.preset.js',
};
