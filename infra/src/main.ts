// The CDK app the `cdk` CLI runs (cdk.json). Context, or the environment variable beside it
// (cli-config.ts), selects the configuration; context wins:
//   -c stage=dev|prod                       TASKFLOW_STAGE
//   -c engine=aurora-postgresql|dsql        TASKFLOW_ENGINE
//   -c multiRegion=true|false               TASKFLOW_MULTI_REGION
//   -c account=123456789012                 TASKFLOW_ACCOUNT
//   -c configFile=path/to/overrides.json    TASKFLOW_CONFIG_FILE
//   -c bundleDir=../dist  -c deploymentId=…  -c nag=false
import { resolve } from 'node:path';
import { App } from 'aws-cdk-lib';
import { CliConfigError, configFromCli } from './cli-config';
import { ConfigError } from './config/config.schema';
import { buildTaskflowApp } from './taskflow-app';

const app = new App();
const ctx = (key: string): unknown => app.node.tryGetContext(key);
try {
  const config = configFromCli(ctx);
  const bundleDir = ctx('bundleDir');
  const deploymentId = ctx('deploymentId');
  buildTaskflowApp(app, config, {
    bundleDir: resolve(typeof bundleDir === 'string' ? bundleDir : `${__dirname}/../../dist`),
    // The deploy time: the schema custom resource changes, so the migrator runs on every deploy.
    deploymentId: typeof deploymentId === 'string' ? deploymentId : new Date().toISOString(),
    nag: ctx('nag') !== 'false',
  });
} catch (error) {
  if (!(error instanceof ConfigError || error instanceof CliConfigError)) throw error;
  console.error(`taskflow infra: ${error.message}`);
  process.exit(1);
}
