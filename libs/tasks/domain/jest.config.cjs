/** @type {import('jest').Config} */
module.exports = {
  displayName: 'tasks-domain',
  preset: '../../../jest.preset.js',
};
