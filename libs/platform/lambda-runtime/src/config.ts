import {
  type CorsOrigins,
  DSQL_ADMIN_USER,
  type DatabaseTuning,
  type JwksSettings,
  type ProcessorSettings,
  databaseTuning,
  jwksSettings,
  processorSettings,
  type LambdaEnvironment,
  type LambdaNeeds,
  configVariableNames,
  parseEnvironment,
} from '@taskflow/platform-config';

// The schema's error and the apps' needs, under the names the runtime and the mains use.
export {
  ConfigError as LambdaConfigError,
  DSQL_ADMIN_USER,
  LAMBDA_NEEDS,
  type LambdaAppName,
  type LambdaNeeds,
} from '@taskflow/platform-config';

/**
 * Age after which a pooled connection is replaced: Aurora DSQL ends every connection at 60
 * minutes, and ten minutes' margin covers a connection taken just before its time. Harmless on
 * Aurora PostgreSQL, where a new connection costs a few milliseconds once an hour.
 */
export const MAX_CONNECTION_LIFETIME_SECONDS = 50 * 60;

/** The database of an Aurora DSQL cluster: there is only one. */
export const DSQL_DATABASE = 'postgres';
const DSQL_PORT = 5432;

/**
 * Where a function's database credentials come from (`DATABASE_AUTH`). None of them puts a
 * secret in the environment except `url`, which is for local runs and tests.
 */
export type DatabaseSource =
  /** `DATABASE_URL`, password inside. */
  | { readonly auth: 'url'; readonly url: string }
  /**
   * A Secrets Manager secret in RDS's JSON shape (`{username, password, host, port, dbname}`),
   * read at cold start and again when the server refuses it (a rotation); `host` overrides
   * the secret's (an RDS Proxy endpoint).
   */
  | { readonly auth: 'secret'; readonly secretArn: string; readonly host: string | null }
  /** Aurora DSQL: a fresh IAM token (`dsql-signer`) as the password of every new connection. */
  | {
      readonly auth: 'dsql-iam';
      readonly endpoint: string;
      readonly port: number;
      readonly user: string;
      readonly database: string;
    };

/** A secret given as it is (local runs) or by the ARN it is read from at cold start. */
export type SecretSource = { readonly value: string } | { readonly secretArn: string };

/** Token settings of a function that serves callers, its signing secret still to be read. */
export interface LambdaAuthSettings {
  /** The HS256 secret: `JWT_SECRET`, or the SecretString of `JWT_SECRET_ARN`. */
  readonly signingSecret: SecretSource;
  readonly jwtIssuer: string;
  readonly jwtAudience: string;
  /** An external identity provider (Cognito...) whose RS256 tokens are accepted too. */
  readonly jwks: JwksSettings | null;
  /** Browser origins allowed to call the API cross-origin (default: same-origin only). */
  readonly corsOrigins?: CorsOrigins;
}

/** Settings of a Taskflow Lambda function, read once per execution environment. */
export interface LambdaConfig {
  /** The pool's settings (`ssl` is always `verify` with DSQL). */
  readonly database: DatabaseTuning & {
    readonly source: DatabaseSource;
    /** Age after which a pooled connection is replaced (DSQL ends them at 60 minutes). */
    readonly maxConnectionLifetimeSeconds: number;
  };
  /** Null for a function that serves no caller (the migrator, ws-disconnect, the broadcaster). */
  readonly auth: LambdaAuthSettings | null;
  readonly region: string;
  /** Where secrets are read: the Region's Secrets Manager unless an endpoint is given (local fakes). */
  readonly secretsManager: { readonly endpoint: string | null };
  /** Null where the function publishes nothing (the WebSocket handlers). */
  readonly events: {
    readonly busName: string;
    readonly source: string;
    readonly endpoint: string | null;
  } | null;
  readonly processor: ProcessorSettings;
  /** API Gateway's WebSocket callback URL (`https://{api}.execute-api.{region}.amazonaws.com/{stage}`). */
  readonly websocketCallbackUrl: string | null;
  readonly functionName: string;
  /** Unique per execution environment: names the relay's leases. */
  readonly instanceId: string;
  /** True when Lambda active tracing is on (the X-Ray daemon address is set). */
  readonly tracing: boolean;
}

/** Every environment variable a Taskflow function reads (the CDK app sets no other). */
export const LAMBDA_ENVIRONMENT_VARIABLES: readonly string[] = configVariableNames('lambda');

/**
 * Reads and validates the function's variables of the one configuration schema, with the needs
 * its main declares. The only reader of process.env here. Secrets are not read here: the
 * configuration names them, and the cold start reads them.
 */
export function loadLambdaConfig(
  env: NodeJS.ProcessEnv = process.env,
  needs: LambdaNeeds = {},
): LambdaConfig {
  const {
    database,
    databaseAccess,
    auth,
    secrets,
    cors,
    events,
    processor,
    websocket,
    aws,
    lambda,
  } = parseEnvironment(env, { entry: 'lambda', needs });
  const signingSecret: SecretSource | null =
    secrets.JWT_SECRET_ARN !== undefined
      ? { secretArn: secrets.JWT_SECRET_ARN }
      : auth.JWT_SECRET !== undefined
        ? { value: auth.JWT_SECRET }
        : null;
  return {
    database: {
      source: databaseSource({ database, databaseAccess }),
      ...databaseTuning(database),
      maxConnectionLifetimeSeconds: MAX_CONNECTION_LIFETIME_SECONDS,
    },
    auth:
      signingSecret === null
        ? null
        : {
            signingSecret,
            jwtIssuer: auth.JWT_ISSUER,
            jwtAudience: auth.JWT_AUDIENCE,
            corsOrigins: cors.CORS_ALLOWED_ORIGINS,
            jwks: jwksSettings(auth),
          },
    region: aws.AWS_REGION,
    secretsManager: { endpoint: secrets.SECRETS_MANAGER_ENDPOINT ?? null },
    events:
      events.EVENT_BUS_NAME === undefined
        ? null
        : {
            busName: events.EVENT_BUS_NAME,
            source: events.EVENT_SOURCE,
            endpoint: events.EVENTBRIDGE_ENDPOINT ?? null,
          },
    processor: processorSettings(processor),
    websocketCallbackUrl: websocket.WEBSOCKET_CALLBACK_URL ?? null,
    functionName: lambda.AWS_LAMBDA_FUNCTION_NAME,
    instanceId: `${lambda.AWS_LAMBDA_FUNCTION_NAME}:${lambda.AWS_LAMBDA_LOG_STREAM_NAME ?? String(process.pid)}`,
    tracing: lambda.AWS_XRAY_DAEMON_ADDRESS !== undefined,
  };
}

/** The database credentials `DATABASE_AUTH` names (the schema's rules made sure they are set). */
function databaseSource({
  database,
  databaseAccess,
}: Pick<LambdaEnvironment, 'database' | 'databaseAccess'>): DatabaseSource {
  switch (databaseAccess.DATABASE_AUTH) {
    case 'url':
      return { auth: 'url', url: required('DATABASE_URL', database.DATABASE_URL) };
    case 'secret':
      return {
        auth: 'secret',
        secretArn: required('DATABASE_SECRET_ARN', databaseAccess.DATABASE_SECRET_ARN),
        host: databaseAccess.DATABASE_HOST ?? null,
      };
    case 'dsql-iam':
      return {
        auth: 'dsql-iam',
        endpoint: required('DSQL_ENDPOINT', databaseAccess.DSQL_ENDPOINT),
        port: DSQL_PORT,
        user: databaseAccess.DATABASE_USER ?? DSQL_ADMIN_USER,
        database: DSQL_DATABASE,
      };
  }
}

function required(name: string, value: string | undefined): string {
  // The schema's DATABASE_AUTH rule refuses a mode without its variable before this runs.
  if (value === undefined)
    throw new Error(`${name} is required (unreachable: checked by the schema)`);
  return value;
}
