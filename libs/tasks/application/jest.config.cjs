/** @type {import('jest').Config} */
module.exports = {
  displayName: 'tasks-application',
  preset: '../../../jest.preset.js',
};
