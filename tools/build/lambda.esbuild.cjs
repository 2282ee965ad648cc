// esbuild settings of every Lambda bundle: the "esbuildConfig" of the Lambda apps' build target
// (tools/build/lambda-targets.plugin.cjs).
//
// The bundles are compiled for the Lambda runtime's Node.js release, LAMBDA_NODE_TARGET below:
// the one place it is set for the seven functions (infra's LAMBDA_RUNTIME must name the same
// release; infra/src/constructs/bundle-target.spec.ts checks both). Bundles still load on the
// Node.js 20 the tests run on: for this code, node20 and node22 give byte-identical bundles
// (esbuild only down-levels syntax, and nothing here is newer than Node.js 20 supports).
//
// The AWS SDK clients are bundled (not left to the runtime's copy) from their ES module builds
// (`mainFields`: "module" first), so that esbuild keeps only the client and commands used:
// about 310 KB where loading the runtime's CommonJS client takes twice as long (measured:
// 45-50 ms against 30 ms on this machine). The bundle also no longer depends on which SDK
// version the runtime ships.
//
// Four plugins keep the bundles small and quick to load (cold start is paid per new execution environment):
// - TypeORM's DriverFactory requires the driver of every database it supports; Taskflow runs
//   on PostgreSQL (and Aurora DSQL, which speaks the PostgreSQL protocol), so the others are
//   replaced by an empty module. Choosing one of them at run time fails with "is not a
//   constructor" instead of loading it.
// - zod's namespace re-exports every locale's messages; only English is used.
// - TypeORM runs the migrations, as a pool and transaction runner over raw SQL only
//   (@taskflow/platform-postgres/migrate: DataSource, QueryRunner); its entity, query-builder,
//   schema and migration machinery is left out (see typeormRuntimeOnly below). Only the
//   migrator's bundle has TypeORM at all: the request, event and stream paths use pg directly.
const fs = require('node:fs');
const path = require('node:path');

/** esbuild's `target` of every Lambda bundle: the release of infra's LAMBDA_RUNTIME (nodejs22.x). */
const LAMBDA_NODE_TARGET = 'node22';

/**
 * Sets the bundles' target to LAMBDA_NODE_TARGET. @nx/esbuild passes its own `target` option
 * (default "esnext") after this file's options, so the target is set in a plugin's setup, which
 * may change the build options (esbuild's documented way). A project that sets a `target` of
 * its own fails the build instead of being silently overridden: there is one target, here.
 * @type {import('esbuild').Plugin}
 */
const lambdaNodeTarget = {
  name: 'lambda-node-target',
  setup(build) {
    const given = build.initialOptions.target;
    if (given !== undefined && given !== 'esnext' && given !== LAMBDA_NODE_TARGET) {
      throw new Error(
        `lambda-node-target: the Lambda bundles target ${LAMBDA_NODE_TARGET} (tools/build/lambda.esbuild.cjs); remove "target": ${JSON.stringify(given)} from the project's build options`,
      );
    }
    build.initialOptions.target = LAMBDA_NODE_TARGET;
  },
};

const UNUSED_TYPEORM_DRIVERS = [
  'aurora-mysql',
  'aurora-postgres',
  'better-sqlite3',
  'capacitor',
  'cockroachdb',
  'cordova',
  'expo',
  'mongodb',
  'mysql',
  'nativescript',
  'oracle',
  'react-native',
  'sap',
  'spanner',
  'sqljs',
  'sqlserver',
];

const unusedDriver = new RegExp(`^\\./(?:${UNUSED_TYPEORM_DRIVERS.join('|')})/`);

/** @type {import('esbuild').Plugin} */
const postgresOnlyTypeorm = {
  name: 'postgres-only-typeorm',
  setup(build) {
    build.onResolve({ filter: unusedDriver }, (args) => {
      if (!args.importer.endsWith(path.join('typeorm', 'driver', 'DriverFactory.js'))) return;
      return { path: args.path, namespace: 'unused-typeorm-driver' };
    });
    build.onLoad({ filter: /.*/, namespace: 'unused-typeorm-driver' }, () => ({
      contents: 'module.exports = {};',
      loader: 'js',
    }));
  },
};

/** @type {import('esbuild').Plugin} */
const englishOnlyZod = {
  name: 'english-only-zod',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) => {
      if (!args.importer.includes(`${path.sep}zod${path.sep}`)) return;
      return {
        path: path.join(path.dirname(args.importer), '..', 'locales', 'index.js'),
        namespace: 'english-only-zod',
      };
    });
    build.onLoad({ filter: /.*/, namespace: 'english-only-zod' }, (args) => ({
      contents: 'export { default as en } from "./en.js";',
      resolveDir: path.dirname(args.path),
      loader: 'js',
    }));
  },
};

/**
 * pg decides at load time whether it runs on Cloudflare Workers; where `navigator` is missing
 * (Node.js 20) it probes by constructing a `Response`, which makes Node load its whole fetch
 * implementation: about 50 ms of every cold start, for an answer that is always "no" here.
 * @type {import('esbuild').Plugin}
 */
const pgWithoutCloudflareProbe = {
  name: 'pg-without-cloudflare-probe',
  setup(build) {
    build.onLoad({ filter: /[\\/]pg[\\/]lib[\\/]stream\.js$/ }, async (args) => {
      const source = await fs.promises.readFile(args.path, 'utf8');
      const probe = 'function isCloudflareRuntime() {';
      if (!source.includes(probe)) {
        throw new Error(`pg-without-cloudflare-probe: ${args.path} no longer has ${probe}`);
      }
      return { contents: source.replace(probe, `${probe}\n  return false;`), loader: 'js' };
    });
  },
};

// TypeORM modules Taskflow never runs: the migrations pass no entities, subscribers,
// migrations or cache, never synchronize, and use only DataSource (initialize, destroy,
// createQueryRunner) and QueryRunner (connect, query, start/commit/rollbackTransaction,
// release). What remains is found by V8 coverage of every function's first invocation: the
// modules below load but none of their code runs (a class they export may still be extended
// at load). Left in, they are about a third of a bundle and a sixth of its load. Paths are relative to the typeorm package; a directory takes all
// of its files except the `keep` ones.
const TYPEORM_LEFT_OUT = [
  // Entity-level API (find, save, query builders, repositories, decorators) and its helpers.
  {
    dir: 'query-builder/',
    keep: [
      'query-builder/index.js',
      'query-builder/QueryBuilder.js',
      'query-builder/RelationLoader.js',
      'query-builder/RelationIdLoader.js',
      // EntityManager's constructor makes one.
      'query-builder/transformer/PlainObjectToNewEntityTransformer.js',
    ],
  },
  { dir: 'persistence/' },
  { dir: 'repository/' },
  { dir: 'decorator/' },
  { dir: 'find-options/' },
  { dir: 'metadata/', keep: ['metadata/types/'] },
  { dir: 'entity-manager/MongoEntityManager.js' },
  { dir: 'entity-manager/SqljsEntityManager.js' },
  // Schema synchronization and TypeORM's own migrations (Taskflow has its own runner).
  { dir: 'schema-builder/' },
  { dir: 'migration/' },
  // Query result cache (`cache` option), formatted and debug loggers.
  { dir: 'cache/' },
  { dir: 'logger/FormattedConsoleLogger.js' },
  { dir: 'logger/DebugLogger.js' },
];

// Packages TypeORM imports only for what is left out above: SQL formatting (the formatted
// logger), globbing (entities, migrations or subscribers given as paths) and the metadata
// polyfill of its decorators (a side-effect import: replaced by nothing).
const TYPEORM_LEFT_OUT_PACKAGES = [
  { name: '@sqltools/formatter', importer: 'platform/PlatformTools.js' },
  { name: 'tinyglobby', importer: 'util/DirectoryExportedClassesLoader.js' },
  { name: 'reflect-metadata', importer: 'index.js', empty: true },
];

/** The typeorm-relative path of a file of the typeorm package, or null. */
const typeormPath = (file) => {
  const posix = file.split(path.sep).join('/');
  const at = posix.lastIndexOf('/node_modules/typeorm/');
  return at === -1 ? null : posix.slice(at + '/node_modules/typeorm/'.length);
};

const leftOut = (relative) =>
  TYPEORM_LEFT_OUT.some(
    ({ dir, keep = [] }) =>
      relative.startsWith(dir) && !keep.some((kept) => relative.startsWith(kept)),
  );

// Every left-out module becomes this: its exports exist (classes can still extend them and
// modules can still re-export them at load), but calling or constructing one throws, naming
// the module, so a use Taskflow starts making fails loudly in the bundle tests.
const LEFT_OUT_MODULE = `'use strict';
const made = new Map();
module.exports = (file) => new Proxy({ __esModule: true }, {
  get(target, key) {
    if (typeof key === 'symbol' || key === 'then' || key in target) return target[key];
    const name = file + '#' + key;
    if (!made.has(name)) {
      made.set(name, function leftOut() {
        throw new Error(name + ' is left out of the Lambda bundles (tools/build/lambda.esbuild.cjs)');
      });
    }
    return made.get(name);
  },
});`;

/** @type {import('esbuild').Plugin} */
const typeormRuntimeOnly = {
  name: 'typeorm-runtime-only',
  setup(build) {
    build.onResolve({ filter: /^typeorm-left-out$/ }, () => ({
      path: 'typeorm-left-out',
      namespace: 'typeorm-left-out-helper',
    }));
    build.onLoad({ filter: /.*/, namespace: 'typeorm-left-out-helper' }, () => ({
      contents: LEFT_OUT_MODULE,
      loader: 'js',
    }));
    const packages = new RegExp(
      `^(?:${TYPEORM_LEFT_OUT_PACKAGES.map(({ name }) => name.replace(/[/.-]/g, '\\$&')).join('|')})$`,
    );
    build.onResolve({ filter: packages }, (args) => {
      const left = TYPEORM_LEFT_OUT_PACKAGES.find(
        ({ name, importer }) => name === args.path && typeormPath(args.importer) === importer,
      );
      if (left === undefined) return undefined;
      return { path: left.name, namespace: 'typeorm-left-out-package', pluginData: left };
    });
    build.onLoad({ filter: /.*/, namespace: 'typeorm-left-out-package' }, (args) => ({
      contents: args.pluginData.empty
        ? ''
        : `module.exports = require('typeorm-left-out')(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
    build.onLoad({ filter: /[\\/]node_modules[\\/]typeorm[\\/].*\.js$/ }, (args) => {
      const relative = typeormPath(args.path);
      if (relative === null || !leftOut(relative)) return undefined;
      return {
        contents: `module.exports = require('typeorm-left-out')(${JSON.stringify(`typeorm/${relative}`)});`,
        loader: 'js',
        resolveDir: path.dirname(args.path),
      };
    });
  },
};

/** @type {import('esbuild').BuildOptions} */
module.exports = {
  outExtension: { '.js': '.js' },
  mainFields: ['module', 'main'],
  // The ES module builds import Node.js built-ins lazily (`import('node:http')`). As require()
  // they need no ES module loader, and they also work where index.js compiles the bundle with
  // its code cache (vm.Script: a real import() there fails without --experimental-vm-modules,
  // and the SDK retried each first request after that failure, about 400 ms).
  supported: { 'dynamic-import': false },
  logLevel: 'warning',
  plugins: [
    lambdaNodeTarget,
    postgresOnlyTypeorm,
    typeormRuntimeOnly,
    englishOnlyZod,
    pgWithoutCloudflareProbe,
  ],
};
