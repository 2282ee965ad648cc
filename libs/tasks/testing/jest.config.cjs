/** @type {import('jest').Config} */
module.exports = {
  displayName: 'tasks-testing',
  preset: '../../../jest.preset.js',
};
