/** @type {import('jest').Config} */
module.exports = {
  displayName: 'shared-kernel',
  preset: '../../../jest.preset.js',
};
