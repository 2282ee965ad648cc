// Packages a built Lambda bundle for fast cold starts: `node tools/build/v8-cache.cjs dist/apps/lambda-api`.
//
// Compiling the 1.2 MB bundle is a large part of a cold start. This writes, next to main.js:
// - main.js.cache: V8's code cache of the bundle, made after running its module scope (so the
//   functions compiled at load time are in it), in a child process with an empty environment
//   (the handler's composition then fails harmlessly instead of connecting anywhere);
// - index.js: the Lambda entry (handler `index.handler`), which compiles main.js with that
//   cache. V8 checks the cache itself: made by another V8 version or with other flags, it is
//   rejected and the bundle compiles as usual, so a stale cache costs nothing but its read.
const { execFileSync } = require('node:child_process');
const { writeFileSync, existsSync } = require('node:fs');
const { join, resolve } = require('node:path');

const LOADER = `'use strict';
// Lambda entry: compiles main.js with the V8 code cache made at build time (tools/build/v8-cache.cjs).
const { readFileSync } = require('node:fs');
const Module = require('node:module');
const { join } = require('node:path');
const { Script } = require('node:vm');

const file = join(__dirname, 'main.js');
let cachedData;
try {
  cachedData = readFileSync(file + '.cache');
} catch {
  cachedData = undefined;
}
const script = new Script(Module.wrap(readFileSync(file, 'utf8')), {
  filename: file,
  cachedData,
  // import() inside the bundle loads as it would in a module of its own.
  importModuleDynamically: (specifier) => import(specifier),
});
if (cachedData !== undefined && script.cachedDataRejected) {
  // Made by another V8 version or with other flags: compiled as usual, only slower.
  process.emitWarning('the V8 code cache of main.js was rejected; compiling it instead', 'TaskflowCodeCache');
}
const bundle = { exports: {} };
script
  .runInThisContext()
  .call(bundle.exports, bundle.exports, Module.createRequire(file), bundle, file, __dirname);
module.exports = bundle.exports;
`;

const MAKE_CACHE = `
const { readFileSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const { dirname } = require('node:path');
const { Script } = require('node:vm');
const file = process.argv[1];
const script = new Script(Module.wrap(readFileSync(file, 'utf8')), { filename: file });
const bundle = { exports: {} };
script.runInThisContext().call(bundle.exports, bundle.exports, Module.createRequire(file), bundle, file, dirname(file));
writeFileSync(file + '.cache', script.createCachedData());
process.exit(0);
`;

const dir = resolve(process.argv[2] ?? '');
const bundle = join(dir, 'main.js');
if (!existsSync(bundle)) {
  console.error(`v8-cache: no bundle at ${bundle} (build it first)`);
  process.exit(1);
}
execFileSync(process.execPath, ['-e', MAKE_CACHE, bundle], {
  env: { PATH: process.env.PATH ?? '' },
  stdio: ['ignore', 'ignore', 'inherit'],
});
writeFileSync(join(dir, 'index.js'), LOADER);
console.log(`v8-cache: ${dir}/index.js and main.js.cache written`);
