// The Nx targets of every Lambda app (apps/lambda-<app>), in one place instead of seven
// near-identical project.json files: an Nx plugin (nx.json "plugins") inferring them from each
// app's project.json, which keeps only what differs: its name, its tags, and where it deploys
// (`metadata.lambda`, below).
//
// - build: @nx/esbuild bundles src/main.ts into dist/apps/lambda-<app>/main.js with the Lambda
//   esbuild settings (tools/build/lambda.esbuild.cjs, an input of the build). nx.json's
//   catch-all `build` defaults exclude these projects: target defaults apply over inferred
//   targets and would replace the inputs.
// - package: tools/build/v8-cache.cjs adds the Lambda entry index.js and main.js.cache.
// - test (@nx/jest's target): runs after package, as the specs invoke the packaged bundle.
// - synth, deploy: `cdk synth --quiet` / `cdk deploy` of the app's own stacks only
//   (`--exclusively`), after every app's package (the CDK app takes every bundle). Every stack
//   but the foundation (lambda-migrator's) deploys after lambda-migrator:deploy, so the schema
//   migrates before new code takes traffic. One CDK CLI at a time (parallelism false: synth and
//   deploy share infra/cdk.out, which the CLI locks); the flags given to a deploy are forwarded
//   to lambda-migrator:deploy, and those given to a deployedBy app's synth or deploy to the
//   other app's.
//
// `metadata.lambda` in an app's project.json is one of:
// - `{ "stack": "api" }`: the app's stacks are `*-*-api-*` (every stage and region);
// - `{ "deployedBy": "lambda-broadcaster" }`: the app is in that app's stack, whose synth and
//   deploy its own run.
const { readFileSync } = require('node:fs');
const { dirname, join } = require('node:path');

/** The files Nx passes to createNodes: every app's project.json. */
const APP_PROJECTS = 'apps/*/project.json';
/** The Lambda apps among them: apps/lambda-<app>. */
const isLambdaProject = (file) => /^apps\/lambda-[^/]+\/project\.json$/.test(file);
/** The app whose stack, the foundation, deploys before every other one (it migrates the schema). */
const MIGRATOR = 'lambda-migrator';
const LAMBDA_ESBUILD = 'tools/build/lambda.esbuild.cjs';
const V8_CACHE = 'tools/build/v8-cache.cjs';

/** A Lambda app as its project.json declares it: root, name and where it is deployed. */
function readApp(workspaceRoot, file) {
  const root = dirname(file);
  const project = JSON.parse(readFileSync(join(workspaceRoot, file), 'utf8'));
  const name = project.name;
  if (typeof name !== 'string') throw new Error(`${file}: no "name"`);
  const { stack, deployedBy } = project.metadata?.lambda ?? {};
  if ((stack === undefined) === (deployedBy === undefined)) {
    throw new Error(
      `${file}: "metadata.lambda" needs either "stack" (its CDK stacks' name) or "deployedBy" (the Lambda app whose stack it shares)`,
    );
  }
  return { file, root, name, stack, deployedBy };
}

/** The targets of `app`, one of `apps` (every Lambda app). */
function lambdaTargets(app, apps) {
  const { root, name } = app;
  const dist = `dist/${root}`;
  const everyPackage = { projects: apps.map((other) => other.name), target: 'package' };
  // The CDK app builds every stack, the web stack too, which uploads the built board.
  const board = { projects: ['web'], target: 'build' };
  const targets = {
    build: {
      executor: '@nx/esbuild:esbuild',
      outputs: ['{options.outputPath}'],
      options: {
        main: `${root}/src/main.ts`,
        outputPath: dist,
        tsConfig: `${root}/tsconfig.json`,
        platform: 'node',
        format: ['cjs'],
        bundle: true,
        thirdParty: true,
        minify: true,
        sourcemap: true,
        generatePackageJson: false,
        external: ['pg-native'],
        esbuildConfig: LAMBDA_ESBUILD,
      },
      dependsOn: ['^build'],
      inputs: ['production', '^production', `{workspaceRoot}/${LAMBDA_ESBUILD}`],
      cache: true,
    },
    test: {
      dependsOn: ['package'],
    },
    package: {
      executor: 'nx:run-commands',
      dependsOn: ['build'],
      inputs: [
        'production',
        '^production',
        `{workspaceRoot}/${V8_CACHE}`,
        { dependentTasksOutputFiles: '**/main.js' },
      ],
      outputs: [`{workspaceRoot}/${dist}/index.js`, `{workspaceRoot}/${dist}/main.js.cache`],
      options: { command: `node ${V8_CACHE} ${dist}` },
      cache: true,
    },
  };
  if (app.deployedBy !== undefined) {
    const owner = apps.find((other) => other.name === app.deployedBy);
    if (owner === undefined || owner.stack === undefined) {
      throw new Error(
        `${app.file}: "metadata.lambda.deployedBy" is ${JSON.stringify(app.deployedBy)}, which is no Lambda app with a "stack" of its own`,
      );
    }
    for (const [target, did] of [
      ['synth', 'synthesized'],
      ['deploy', 'deployed'],
    ]) {
      targets[target] = {
        executor: 'nx:run-commands',
        dependsOn: [{ projects: [owner.name], target, params: 'forward' }],
        cache: false,
        options: {
          command: `echo 'the ${owner.stack} stack is ${did} by ${owner.name}:${target}'`,
        },
        parallelism: false,
      };
    }
    return targets;
  }
  const stacks = `'*-*-${app.stack}-*'`;
  targets.synth = {
    executor: 'nx:run-commands',
    dependsOn: [everyPackage, board],
    cache: false,
    options: { cwd: 'infra', command: `npx cdk synth --quiet --exclusively ${stacks}` },
    parallelism: false,
  };
  targets.deploy = {
    executor: 'nx:run-commands',
    dependsOn:
      name === MIGRATOR
        ? [everyPackage, board]
        : [everyPackage, board, { projects: [MIGRATOR], target: 'deploy', params: 'forward' }],
    cache: false,
    options: { cwd: 'infra', command: `npx cdk deploy --exclusively ${stacks}` },
    parallelism: false,
  };
  return targets;
}

/** @type {import('nx/src/devkit-exports').CreateNodes} */
const createNodes = [
  APP_PROJECTS,
  (files, _options, context) => {
    const apps = files.filter(isLambdaProject).map((file) => readApp(context.workspaceRoot, file));
    if (apps.length > 0 && !apps.some((app) => app.name === MIGRATOR)) {
      throw new Error(`no ${MIGRATOR} among the Lambda apps (apps/lambda-*)`);
    }
    return apps.map((app) => [
      app.file,
      {
        projects: {
          [app.root]: {
            projectType: 'application',
            sourceRoot: `${app.root}/src`,
            targets: lambdaTargets(app, apps),
          },
        },
      },
    ]);
  },
];

module.exports = { name: 'taskflow-lambda-targets', createNodes };
