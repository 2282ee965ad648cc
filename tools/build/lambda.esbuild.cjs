// esbuild settings of every Lambda bundle (apps/*/project.json "esbuildConfig").
//
// `@aws-sdk/*` stays out of the bundles (project.json "external"): every Node.js Lambda runtime
// ships AWS SDK v3, as CDK's NodejsFunction assumes by default; Taskflow only calls long-stable
// operations (PutEvents, PostToConnection, DeleteConnection). That is about 480 KB less to load.
//
// Three plugins keep the bundles small and quick to load (cold start is paid per new execution environment):
// - TypeORM's DriverFactory requires the driver of every database it supports; Taskflow runs
//   on PostgreSQL (and Aurora DSQL, which speaks the PostgreSQL protocol), so the others are
//   replaced by an empty module. Choosing one of them at run time fails with "is not a
//   constructor" instead of loading it.
// - zod's namespace re-exports every locale's messages; only English is used.
const fs = require('node:fs');
const path = require('node:path');

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

/** @type {import('esbuild').BuildOptions} */
module.exports = {
  outExtension: { '.js': '.js' },
  logLevel: 'warning',
  plugins: [postgresOnlyTypeorm, englishOnlyZod, pgWithoutCloudflareProbe],
};
