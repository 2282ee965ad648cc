/** @type {import('jest').Config} */
module.exports = {
  displayName: 'users-testing',
  preset: '../../../jest.preset.js',
};
