// The contract between the CDK app and the Lambda runtime: every function's synthesized
// environment must pass the runtime's own configuration parser, with the needs its main
// declares, and hold no variable the runtime does not read. Without this test the two sides
// drift apart silently (a function then fails its first cold start on AWS, not here).
import {
  LAMBDA_ENVIRONMENT_VARIABLES,
  LAMBDA_NEEDS,
  type LambdaAppName,
  loadLambdaConfig,
} from '@taskflow/platform-lambda-runtime';
import { Template } from 'aws-cdk-lib/assertions';
import { DATABASE_ENGINES } from './config/config.schema';
import { PRESET_STAGES, resolveConfig } from './config/presets';
import { LAMBDA_APPS } from './constructs/taskflow-function.construct';
import { synthFixture } from './testing/synth-fixture';

/** Variables read by the platform, not by Taskflow's parser. */
const PLATFORM_VARIABLES = [
  'POWERTOOLS_SERVICE_NAME',
  'POWERTOOLS_METRICS_NAMESPACE',
  'NODE_EXTRA_CA_CERTS',
  // Set by CDK on functions that use the AWS SDK's connection reuse (Node 18+ default).
  'AWS_NODEJS_CONNECTION_REUSE_ENABLED',
];

/**
 * What a CloudFormation expression becomes at deploy time, by variable: a value of the
 * shape AWS returns, so the parser's format checks are exercised, not skipped.
 */
const DEPLOY_TIME_VALUES: Record<string, string> = {
  DATABASE_SECRET_ARN:
    'arn:aws:secretsmanager:us-east-1:111111111111:secret:taskflow-dev/database/master-AbCdEf',
  JWT_SECRET_ARN:
    'arn:aws:secretsmanager:us-east-1:111111111111:secret:taskflow-dev/jwt-signing-key-AbCdEf',
  DATABASE_HOST: 'taskflow-dev.cluster-abcdefghijkl.us-east-1.rds.amazonaws.com',
  DSQL_ENDPOINT: 'abcdefghijklmnopqrstuvwxyz.dsql.us-east-1.on.aws',
  EVENT_BUS_NAME: 'taskflow-dev-events',
  WEBSOCKET_CALLBACK_URL: 'https://abcdef1234.execute-api.us-east-1.amazonaws.com/dev',
  JWKS_URL: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEfGhI/.well-known/jwks.json',
  JWKS_ISSUER: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEfGhI',
  JWKS_AUDIENCE: '1example23456789client0id',
  // The configured origins and the board's distribution (known once it exists).
  CORS_ALLOWED_ORIGINS: 'https://app.taskflow.example,https://d111111abcdef8.cloudfront.net',
};

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

/** Every Taskflow function of a template, by app, with its environment as AWS would set it. */
function functionEnvironments(template: Template): { app: string; env: Record<string, string> }[] {
  const functions = template.findResources('AWS::Lambda::Function') as Resources;
  const found: { app: string; env: Record<string, string> }[] = [];
  for (const fn of Object.values(functions)) {
    const vars =
      (fn.Properties?.['Environment'] as { Variables?: Record<string, unknown> } | undefined)
        ?.Variables ?? {};
    const service = vars['POWERTOOLS_SERVICE_NAME'];
    // Functions CDK adds (the custom-resource framework) are not Taskflow apps.
    if (typeof service !== 'string' || !service.startsWith('taskflow-')) continue;
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(vars)) {
      if (typeof value === 'string') env[name] = value;
      else {
        const stand = DEPLOY_TIME_VALUES[name];
        if (stand === undefined)
          throw new Error(`${service}: ${name} is set at deploy time; add its shape to this test`);
        env[name] = stand;
      }
    }
    found.push({ app: service.slice('taskflow-'.length), env });
  }
  return found;
}

const SHAPES = PRESET_STAGES.flatMap((stage) =>
  DATABASE_ENGINES.flatMap((engine) =>
    [false, true].map((multiRegion) => ({ stage, engine, multiRegion })),
  ),
);

describe.each(SHAPES)('function environments, $stage $engine multiRegion=$multiRegion', (shape) => {
  const config = resolveConfig(shape.stage, shape.engine, {
    account: '111111111111',
    multiRegion: shape.multiRegion,
  });
  const { stacks } = synthFixture(config);
  const all = stacks.regions.flatMap((region) =>
    [region.foundation, region.api, region.realtime, region.processor, region.relay].flatMap(
      (stack) =>
        functionEnvironments(Template.fromStack(stack)).map((f) => ({
          ...f,
          region: region.region,
        })),
    ),
  );

  it('deploys every Lambda app once per region (no migrator beside an Aurora read replica)', () => {
    for (const [i, region] of stacks.regions.entries()) {
      const readReplica = i > 0 && shape.engine === 'aurora-postgresql';
      expect(
        all
          .filter((f) => f.region === region.region)
          .map((f) => f.app)
          .sort(),
      ).toEqual(LAMBDA_APPS.filter((app) => !(readReplica && app === 'migrator')).sort());
    }
  });

  it("gives each function an environment the runtime's parser accepts, with its main's needs", () => {
    for (const { app, env, region } of all) {
      const needs = LAMBDA_NEEDS[app as LambdaAppName];
      expect(needs).toBeDefined();
      // AWS_REGION and the function name are set by Lambda itself.
      const runtimeEnv = { ...env, AWS_REGION: region, AWS_LAMBDA_FUNCTION_NAME: `fn-${app}` };
      expect(() => loadLambdaConfig(runtimeEnv, needs)).not.toThrow();
    }
  });

  it('sets no variable the runtime does not read', () => {
    const known = new Set([...LAMBDA_ENVIRONMENT_VARIABLES, ...PLATFORM_VARIABLES]);
    for (const { app, env } of all)
      expect({ app, unknown: Object.keys(env).filter((name) => !known.has(name)) }).toEqual({
        app,
        unknown: [],
      });
  });
});
