/** @type {import('jest').Config} */
module.exports = {
  displayName: 'platform-event-routing',
  preset: '../../../jest.preset.js',
};
