/** @type {import('jest').Config} */
module.exports = {
  displayName: 'users-application',
  preset: '../../../jest.preset.js',
};
