// Shared Jest settings for every project: SWC for speed (type checking is the typecheck and lint
// targets' job), Nx's resolver so tsconfig path aliases resolve to library sources.
const nxPreset = require('@nx/jest/preset').default;
const { join } = require('node:path');
const { compilerOptions } = require('./tsconfig.base.json');

// Workspace packages resolve to this checkout's sources by their tsconfig paths. Node's
// resolution would follow node_modules/@taskflow/* symlinks, which in a git worktree sharing
// another checkout's node_modules lead to that checkout's sources instead.
const workspaceModules = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([name, [target]]) => [
    `^${name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`,
    join(__dirname, target),
  ]),
);

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
  moduleNameMapper: workspaceModules,
  // jose 6 and fractional-indexing ship only ES modules, which Jest on Node 20 cannot require; SWC compiles them to
  // CommonJS for the tests (the host and bundles load it natively).
  transformIgnorePatterns: ['/node_modules/(?!(jose|fractional-indexing)/)'],
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  coverageReporters: ['text-summary'],
};
