/** @type {import('jest').Config} */
module.exports = {
  displayName: 'projects-application',
  preset: '../../../jest.preset.js',
};
