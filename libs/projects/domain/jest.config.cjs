/** @type {import('jest').Config} */
module.exports = {
  displayName: 'projects-domain',
  preset: '../../../jest.preset.js',
};
