/** @type {import('jest').Config} */
module.exports = {
  displayName: 'platform-eventbridge',
  preset: '../../../jest.preset.js',
};
