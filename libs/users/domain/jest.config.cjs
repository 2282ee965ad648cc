/** @type {import('jest').Config} */
module.exports = {
  displayName: 'users-domain',
  preset: '../../../jest.preset.js',
};
