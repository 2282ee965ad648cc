import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { logRetention, type TaskflowConfig } from '../config/config.schema';

/**
 * The Lambda apps: app `<app>` is the Nx project `lambda-<app>` in `apps/lambda-<app>`, which its
 * `package` target packages into `dist/apps/lambda-<app>` (see {@link lambdaAppFolder}).
 */
export const LAMBDA_APPS = [
  'api',
  'processor',
  'relay',
  'broadcaster',
  'ws-connect',
  'ws-disconnect',
  'migrator',
] as const;
/** One Lambda app. */
export type LambdaApp = (typeof LAMBDA_APPS)[number];

/**
 * The folder of an app under `apps/`, and of its bundle under `dist/apps/`: its Nx project's
 * name. (The app's own name stays in the function's name, description and service name.)
 */
export function lambdaAppFolder(app: LambdaApp): `lambda-${LambdaApp}` {
  return `lambda-${app}`;
}

/**
 * The Lambda runtime of every Taskflow function. Node.js 22 (LTS), the release the issue and
 * the bundles target; Node.js 24 is one constant away once the bundles are tested on it.
 */
export const LAMBDA_RUNTIME = lambda.Runtime.NODEJS_22_X;

/** The root of the CloudWatch namespaces the Lambda runtime writes its EMF metrics to. */
export const METRICS_NAMESPACE = 'Taskflow';

/**
 * The namespace of one deployment's metrics, `Taskflow/<project>-<stage>`: two stages in one
 * account and region never share a metric or an alarm. The functions get it as
 * POWERTOOLS_METRICS_NAMESPACE; the log metric filters write there too.
 */
export function metricsNamespace(config: Pick<TaskflowConfig, 'projectName' | 'stage'>): string {
  return `${METRICS_NAMESPACE}/${config.projectName}-${config.stage}`;
}

/**
 * The CA bundle of the Lambda Node.js runtimes (Amazon's and RDS's certificates), which
 * Node 20 and later load only through `NODE_EXTRA_CA_CERTS`.
 */
export const LAMBDA_CA_BUNDLE = '/var/runtime/ca-cert.pem';

/** Where a function runs in a VPC. */
export interface FunctionNetwork {
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  readonly securityGroups: readonly ec2.ISecurityGroup[];
}

/**
 * How a function uses its database connection, set with the engine's variables: one invocation
 * at a time per execution environment needs a small pool (the cluster's connection limit is
 * shared by every concurrent environment), and a statement may not outlive the API's timeout.
 * The configuration schema's defaults are the local host's.
 */
export const FUNCTION_DATABASE_ENVIRONMENT: Readonly<Record<string, string>> = {
  DATABASE_POOL_SIZE: '2',
  DATABASE_STATEMENT_TIMEOUT_MS: '10000',
};

/** What a database gives a function it lets connect (implemented per engine). */
export interface ConnectableDatabase {
  /** Grants the connect permission and sets the connection variables, together. */
  grantConnect(fn: TaskflowFunction): void;
}

/** Props of {@link TaskflowFunction}. */
export interface TaskflowFunctionProps {
  readonly app: LambdaApp;
  readonly config: TaskflowConfig;
  /** The folder holding `apps/lambda-<app>/index.js` (the repository's `dist`). */
  readonly bundleDir: string;
  readonly description: string;
  /** Defaults to the configured timeout. */
  readonly timeout?: Duration;
  /** Undefined: the configured reserved concurrency; null: none (share the account pool). */
  readonly reservedConcurrency?: number | null;
  readonly network?: FunctionNetwork;
  readonly environment?: Readonly<Record<string, string>>;
}

/**
 * The house-default Taskflow function: Node.js 22 on the configured architecture (arm64 by
 * default), active X-Ray tracing, JSON logs into its own log group with the configured
 * retention, Powertools' service name and metrics namespace, and code taken from the bundle the
 * app's `package` target built (not rebuilt here: the Lambda runs the bytes the tests loaded).
 *
 * Permissions come with the environment variables that use them, through the `bind…`
 * helpers, so a function never has a variable it may not use or a grant it has no name for.
 * No secret value is ever placed in the environment: only ARNs and names.
 */
export class TaskflowFunction extends lambda.Function {
  /** The app whose bundle this function runs. */
  readonly app: LambdaApp;
  /** The function's log group (created, not left to Lambda, so retention and removal are ours). */
  readonly functionLogGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: TaskflowFunctionProps) {
    const { config, app } = props;
    const codeDir = join(props.bundleDir, 'apps', lambdaAppFolder(app));
    if (!existsSync(join(codeDir, 'index.js')))
      throw new Error(
        `no Lambda bundle at ${codeDir}/index.js: run \`npx nx run-many -t package\` first`,
      );
    // Created beside the function, before it: Lambda would otherwise create it on first log,
    // with no retention and outside the stack (left behind on delete).
    const logGroup = new logs.LogGroup(scope, `${id}LogGroup`, {
      retention: logRetention(config),
      removalPolicy: config.deletionProtection ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    // Its own role, not the default one with AWSLambdaBasicExecutionRole (logs:* on every log
    // group): it may write only to its own log group.
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Taskflow ${app} function`,
    });
    logGroup.grantWrite(role);
    const reserved =
      props.reservedConcurrency === undefined
        ? config.lambda.reservedConcurrency
        : (props.reservedConcurrency ?? undefined);
    super(scope, id, {
      functionName: `${config.projectName}-${config.stage}-${app}`,
      description: props.description,
      runtime: LAMBDA_RUNTIME,
      role,
      architecture:
        config.lambda.architecture === 'arm64'
          ? lambda.Architecture.ARM_64
          : lambda.Architecture.X86_64,
      handler: 'index.handler',
      // Source maps stay out of the package: nothing loads them at run time (no
      // --enable-source-maps, which would slow every cold start).
      code: lambda.Code.fromAsset(codeDir, { exclude: ['*.map'] }),
      memorySize: config.lambda.memoryMb,
      timeout: props.timeout ?? Duration.seconds(config.lambda.timeoutSeconds),
      tracing: lambda.Tracing.ACTIVE,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      ...(reserved === undefined ? {} : { reservedConcurrentExecutions: reserved }),
      layers: config.lambda.layerArns.map((arn, i) =>
        lambda.LayerVersion.fromLayerVersionArn(scope, `${id}Layer${String(i)}`, arn),
      ),
      ...(props.network === undefined
        ? {}
        : {
            vpc: props.network.vpc,
            vpcSubnets: props.network.subnets,
            securityGroups: [...props.network.securityGroups],
          }),
      environment: {
        POWERTOOLS_SERVICE_NAME: `taskflow-${app}`,
        POWERTOOLS_METRICS_NAMESPACE: metricsNamespace(config),
        ...props.environment,
      },
    });
    this.app = app;
    this.functionLogGroup = logGroup;
    Validations.of(this).acknowledge({
      id: 'AwsSolutions::AwsSolutions-L1',
      reason:
        'Node.js 22 is the LTS runtime the Taskflow bundles are built and tested for; moving to nodejs24.x is the LAMBDA_RUNTIME constant once they are tested on it',
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords accept no resource but *',
    });
    if (props.network !== undefined)
      Validations.of(role).acknowledge({
        id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
        reason:
          'Lambda adds this AWS-maintained policy for a VPC function: the ec2 network-interface actions it holds take no resource-level permissions',
      });
  }

  /** Lets the function connect to the database and tells it how (engine-specific). */
  bindDatabase(database: ConnectableDatabase): this {
    database.grantConnect(this);
    return this;
  }

  /**
   * Read access to one secret, granted on this function's role only: `GetSecretValue` on the
   * secret and, when it has a customer key, `kms:Decrypt` on that key through Secrets Manager
   * alone. (`secret.grantRead` would also write the role into the key's policy, making the
   * foundation stack that owns the key depend on every app stack.)
   */
  grantSecretRead(secret: secretsmanager.ISecret): this {
    this.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        // A secret known by name only has a partial ARN: its full ARN ends in six characters.
        resources: [secret.secretFullArn ?? `${secret.secretArn}-??????`],
      }),
    );
    const key = secret.encryptionKey;
    if (key !== undefined)
      this.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['kms:Decrypt'],
          resources: [key.keyArn],
          conditions: {
            StringEquals: {
              'kms:ViaService': `secretsmanager.${Stack.of(this).region}.amazonaws.com`,
            },
          },
        }),
      );
    return this;
  }

  /** Read access to the JWT signing secret, and `JWT_SECRET_ARN` naming it. */
  bindJwtSecret(secret: secretsmanager.ISecret): this {
    this.grantSecretRead(secret);
    this.addEnvironment('JWT_SECRET_ARN', secret.secretArn);
    return this;
  }

  /** `events:PutEvents` on this bus only, and `EVENT_BUS_NAME` naming it. */
  bindEventBus(bus: events.IEventBus): this {
    bus.grantPutEventsTo(this);
    this.addEnvironment('EVENT_BUS_NAME', bus.eventBusName);
    return this;
  }
}
