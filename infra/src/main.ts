// The CDK app the `cdk` CLI runs (cdk.json). Context selects the configuration:
//   -c stage=dev|prod  -c engine=aurora-postgresql|dsql  -c multiRegion=true|false
//   -c account=123456789012  -c configFile=path/to/overrides.json  -c bundleDir=../dist
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { App } from 'aws-cdk-lib';
import { DATABASE_ENGINES, type DatabaseEngine } from './config/config.schema';
import { PRESET_STAGES, type PresetStage, resolveConfig } from './config/presets';
import { buildTaskflowApp } from './taskflow-app';

function choice<T extends string>(
  name: string,
  value: unknown,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value))
    return value as T;
  throw new Error(
    `context ${name}: must be one of ${allowed.join(', ')} (got ${JSON.stringify(value)})`,
  );
}

const app = new App();
const ctx = (key: string): unknown => app.node.tryGetContext(key);
const stage: PresetStage = choice('stage', ctx('stage'), PRESET_STAGES, 'dev');
const engine: DatabaseEngine = choice(
  'engine',
  ctx('engine'),
  DATABASE_ENGINES,
  'aurora-postgresql',
);
const file = ctx('configFile');
const fromFile: unknown = typeof file === 'string' ? JSON.parse(readFileSync(file, 'utf8')) : {};
const multiRegion = ctx('multiRegion');
const account = ctx('account');
const config = resolveConfig(stage, engine, {
  ...(typeof fromFile === 'object' && fromFile !== null ? fromFile : {}),
  ...(multiRegion === undefined
    ? {}
    : { multiRegion: multiRegion === true || multiRegion === 'true' }),
  ...(typeof account === 'string' ? { account } : {}),
});
const bundleDir = ctx('bundleDir');
buildTaskflowApp(app, config, {
  bundleDir: resolve(typeof bundleDir === 'string' ? bundleDir : `${__dirname}/../../dist`),
  // The deploy time: the schema custom resource changes, so the migrator runs on every deploy.
  deploymentId:
    typeof ctx('deploymentId') === 'string'
      ? String(ctx('deploymentId'))
      : new Date().toISOString(),
  nag: ctx('nag') !== 'false',
});
