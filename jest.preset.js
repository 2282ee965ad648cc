// Shared Jest settings for every project: SWC for speed (type checking is the typecheck and lint
// targets' job), Nx's resolver so tsconfig path aliases resolve to library sources.
const nxPreset = require('@nx/jest/preset').default;

module.exports = {
  ...nxPreset,
  testEnvironment: 'node',
  transform: {
    '^.+\\.[tj]s$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  // jose 6 ships only ES modules, which Jest on Node 20 cannot require; SWC compiles it to
  // CommonJS for the tests (the host and bundles load it natively).
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  coverageReporters: ['text-summary'],
};
