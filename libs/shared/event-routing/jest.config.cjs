/** @type {import('jest').Config} */
module.exports = {
  displayName: 'event-routing',
  preset: '../../../jest.preset.js',
};
