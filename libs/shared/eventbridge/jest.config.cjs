/** @type {import('jest').Config} */
module.exports = {
  displayName: 'eventbridge',
  preset: '../../../jest.preset.js',
};
