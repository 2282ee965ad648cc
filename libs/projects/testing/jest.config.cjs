/** @type {import('jest').Config} */
module.exports = {
  displayName: 'projects-testing',
  preset: '../../../jest.preset.js',
};
