import {
  DEFAULT_TASKFLOW_EVENT_SOURCE,
  INBOUND_COMMAND_SOURCE,
} from '@taskflow/platform-event-routing';
import { type CorsOrigins, CorsOriginsSchema } from '@taskflow/platform-http';
import { z } from 'zod';

/** A Secrets Manager secret's ARN (the only way a secret reaches a function's environment). */
const SecretArn = z
  .string()
  .regex(
    /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/,
    'must be a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>)',
  );

/** A DNS name or an IP address, without scheme, port or path. */
const HostName = z
  .string()
  .regex(/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$|^\[?[0-9A-Fa-f:.]+\]?$/, 'must be a host name');

/** How a function gets its database credentials: `DATABASE_AUTH`. */
const DATABASE_AUTH_MODES = ['url', 'secret', 'dsql-iam'] as const;

/** The variables that belong to each `DATABASE_AUTH`; another mode's are refused with it. */
const DATABASE_AUTH_VARIABLES = {
  url: ['DATABASE_URL'],
  secret: ['DATABASE_SECRET_ARN', 'DATABASE_HOST'],
  'dsql-iam': ['DSQL_ENDPOINT', 'DATABASE_USER'],
} as const satisfies Record<(typeof DATABASE_AUTH_MODES)[number], readonly string[]>;

/**
 * Age after which a pooled connection is replaced: Aurora DSQL ends every connection at 60
 * minutes, and ten minutes' margin covers a connection taken just before its time. Harmless on
 * Aurora PostgreSQL, where a new connection costs a few milliseconds once an hour.
 */
export const MAX_CONNECTION_LIFETIME_SECONDS = 50 * 60;

/** The database of an Aurora DSQL cluster: there is only one. */
export const DSQL_DATABASE = 'postgres';
/** The database user DSQL's `DbConnectAdmin` action signs in. */
export const DSQL_ADMIN_USER = 'admin';
const DSQL_PORT = 5432;

const EnvSchema = z.object({
  DATABASE_AUTH: z.enum(DATABASE_AUTH_MODES).default('url'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  DATABASE_SECRET_ARN: SecretArn.optional(),
  DATABASE_HOST: HostName.optional(),
  DSQL_ENDPOINT: HostName.optional(),
  DATABASE_USER: z.string().min(1).max(63).optional(),
  // One invocation at a time per execution environment: a small pool is enough, and Aurora's
  // connection limit is shared by every concurrent environment.
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(20).default(2),
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
  DATABASE_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(0).default(2_000),
  DATABASE_QUERY_TIMEOUT_MS: z.coerce.number().int().min(0).default(2_000),
  DATABASE_SSL: z.enum(['disable', 'verify', 'no-verify']).optional(),
  DATABASE_DIALECT: z.enum(['postgres', 'dsql']).optional(),
  JWT_SECRET_ARN: SecretArn.optional(),
  SECRETS_MANAGER_ENDPOINT: z.url().optional(),
  JWT_SECRET: z.string().min(32, 'JWT_SECRET must be at least 32 characters').optional(),
  JWT_ISSUER: z.string().min(1).default('taskflow'),
  JWT_AUDIENCE: z.string().min(1).default('taskflow'),
  JWKS_URL: z.url().optional(),
  JWKS_ISSUER: z.string().min(1).optional(),
  JWKS_AUDIENCE: z.string().min(1).optional(),
  CORS_ALLOWED_ORIGINS: CorsOriginsSchema,
  AWS_REGION: z.string().min(1),
  EVENT_BUS_NAME: z.string().min(1).optional(),
  EVENT_SOURCE: z.string().min(1).default(DEFAULT_TASKFLOW_EVENT_SOURCE),
  EVENTBRIDGE_ENDPOINT: z.url().optional(),
  DEFAULT_PROJECT_NAME: z.string().trim().min(1).max(100).default('Inbox'),
  SYSTEM_USER_EMAIL: z.email().default('system@taskflow.local'),
  WEBSOCKET_CALLBACK_URL: z.url().optional(),
  AWS_LAMBDA_FUNCTION_NAME: z.string().min(1).default('taskflow-local'),
  AWS_LAMBDA_LOG_STREAM_NAME: z.string().min(1).optional(),
  AWS_XRAY_DAEMON_ADDRESS: z.string().min(1).optional(),
});

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
  readonly jwks: {
    readonly url: string;
    readonly issuer: string;
    readonly audience: string | null;
  } | null;
  /** Browser origins allowed to call the API cross-origin (default: same-origin only). */
  readonly corsOrigins?: CorsOrigins;
}

/** Settings of a Taskflow Lambda function, read once per execution environment. */
export interface LambdaConfig {
  readonly database: {
    readonly source: DatabaseSource;
    readonly poolSize: number;
    readonly statementTimeoutMs: number;
    /** Client-side deadline to get a database connection (0 = none). */
    readonly connectTimeoutMs: number;
    /** Client-side deadline of each statement (0 = none). */
    readonly queryTimeoutMs: number;
    /** Always `verify` with DSQL. */
    readonly ssl: 'disable' | 'verify' | 'no-verify';
    readonly dialect: 'postgres' | 'dsql';
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
  readonly processor: {
    readonly defaultProjectName: string;
    readonly systemUserEmail: string;
  };
  /** API Gateway's WebSocket callback URL (`https://{api}.execute-api.{region}.amazonaws.com/{stage}`). */
  readonly websocketCallbackUrl: string | null;
  readonly functionName: string;
  /** Unique per execution environment: names the relay's leases. */
  readonly instanceId: string;
  /** True when Lambda active tracing is on (the X-Ray daemon address is set). */
  readonly tracing: boolean;
}

/** A configuration problem: the function fails its cold start with this message. */
export class LambdaConfigError extends Error {}

/** What a function needs beyond the database and auth; missing ones fail the cold start. */
export interface LambdaNeeds {
  /**
   * Token verification and stream tickets (JWT_SECRET_ARN, or JWT_SECRET locally); every
   * function but the migrator, ws-disconnect and the broadcaster.
   */
  readonly auth?: boolean;
  readonly events?: boolean;
  readonly websocket?: boolean;
}

/** The Lambda apps, each with what it needs: their mains and the CDK app read this one table. */
export const LAMBDA_NEEDS = {
  api: { events: true },
  processor: { events: true },
  relay: { events: true },
  broadcaster: { auth: false, websocket: true },
  'ws-connect': {},
  'ws-disconnect': { auth: false },
  migrator: { auth: false },
} as const satisfies Record<string, LambdaNeeds>;
/** A Lambda app of {@link LAMBDA_NEEDS}. */
export type LambdaAppName = keyof typeof LAMBDA_NEEDS;

/** Every environment variable a Taskflow function reads (the CDK app sets no other). */
export const LAMBDA_ENVIRONMENT_VARIABLES: readonly string[] = Object.keys(EnvSchema.shape);

type Env = z.infer<typeof EnvSchema>;

/**
 * Reads and validates the function's environment. The only reader of process.env here. Secrets
 * are not read here: the configuration names them, and the cold start reads them.
 */
export function loadLambdaConfig(
  env: NodeJS.ProcessEnv = process.env,
  needs: LambdaNeeds = {},
): LambdaConfig {
  const defined = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ''),
  );
  const parsed = EnvSchema.safeParse(defined);
  if (!parsed.success) {
    throw new LambdaConfigError(
      `invalid configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const e = parsed.data;
  const problems: string[] = [];
  const source = databaseSource(e, problems);
  if (e.EVENT_SOURCE === INBOUND_COMMAND_SOURCE)
    problems.push(
      `EVENT_SOURCE must differ from ${INBOUND_COMMAND_SOURCE} (our own events would loop into the processor)`,
    );
  if (e.JWKS_URL !== undefined && e.JWKS_ISSUER === undefined)
    problems.push('JWKS_ISSUER is required with JWKS_URL');
  if (e.JWT_SECRET !== undefined && e.JWT_SECRET_ARN !== undefined)
    problems.push('set JWT_SECRET_ARN or JWT_SECRET, not both');
  else if (needs.auth !== false && e.JWT_SECRET === undefined && e.JWT_SECRET_ARN === undefined)
    problems.push(
      'JWT_SECRET_ARN is required (JWT_SECRET for local runs): it signs stream tickets and verifies local tokens',
    );
  if (needs.events === true && e.EVENT_BUS_NAME === undefined)
    problems.push('EVENT_BUS_NAME is required (this function publishes events)');
  if (needs.websocket === true && e.WEBSOCKET_CALLBACK_URL === undefined)
    problems.push('WEBSOCKET_CALLBACK_URL is required (this function posts to WebSocket clients)');
  if (problems.length > 0 || source === null)
    throw new LambdaConfigError(`invalid configuration: ${problems.join('; ')}`);
  const iam = source.auth === 'dsql-iam';
  const signingSecret: SecretSource | null =
    e.JWT_SECRET_ARN !== undefined
      ? { secretArn: e.JWT_SECRET_ARN }
      : e.JWT_SECRET !== undefined
        ? { value: e.JWT_SECRET }
        : null;
  return {
    database: {
      source,
      poolSize: e.DATABASE_POOL_SIZE,
      statementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS,
      connectTimeoutMs: e.DATABASE_CONNECT_TIMEOUT_MS,
      queryTimeoutMs: e.DATABASE_QUERY_TIMEOUT_MS,
      ssl: e.DATABASE_SSL ?? 'verify',
      dialect: e.DATABASE_DIALECT ?? (iam ? 'dsql' : 'postgres'),
      maxConnectionLifetimeSeconds: MAX_CONNECTION_LIFETIME_SECONDS,
    },
    auth:
      signingSecret === null
        ? null
        : {
            signingSecret,
            jwtIssuer: e.JWT_ISSUER,
            jwtAudience: e.JWT_AUDIENCE,
            corsOrigins: e.CORS_ALLOWED_ORIGINS,
            jwks:
              e.JWKS_URL === undefined
                ? null
                : {
                    url: e.JWKS_URL,
                    issuer: e.JWKS_ISSUER ?? '',
                    audience: e.JWKS_AUDIENCE ?? null,
                  },
          },
    region: e.AWS_REGION,
    secretsManager: { endpoint: e.SECRETS_MANAGER_ENDPOINT ?? null },
    events:
      e.EVENT_BUS_NAME === undefined
        ? null
        : {
            busName: e.EVENT_BUS_NAME,
            source: e.EVENT_SOURCE,
            endpoint: e.EVENTBRIDGE_ENDPOINT ?? null,
          },
    processor: {
      defaultProjectName: e.DEFAULT_PROJECT_NAME,
      systemUserEmail: e.SYSTEM_USER_EMAIL,
    },
    websocketCallbackUrl: e.WEBSOCKET_CALLBACK_URL ?? null,
    functionName: e.AWS_LAMBDA_FUNCTION_NAME,
    instanceId: `${e.AWS_LAMBDA_FUNCTION_NAME}:${e.AWS_LAMBDA_LOG_STREAM_NAME ?? String(process.pid)}`,
    tracing: e.AWS_XRAY_DAEMON_ADDRESS !== undefined,
  };
}

/** The database credentials `DATABASE_AUTH` names, or null with the reasons in `problems`. */
function databaseSource(e: Env, problems: string[]): DatabaseSource | null {
  const mode = e.DATABASE_AUTH;
  const count = problems.length;
  // Another mode's variable is a mistake in the deployment: refusing it keeps, for one, a
  // password-bearing DATABASE_URL from sitting beside the secret meant to replace it.
  for (const [other, names] of Object.entries(DATABASE_AUTH_VARIABLES)) {
    if (other === mode) continue;
    for (const name of names)
      if (e[name] !== undefined) problems.push(`${name} is not used with DATABASE_AUTH=${mode}`);
  }
  if (mode === 'dsql-iam') {
    if (e.DATABASE_SSL !== undefined && e.DATABASE_SSL !== 'verify')
      problems.push(
        'DATABASE_SSL must be verify with DATABASE_AUTH=dsql-iam (IAM tokens travel only over verified TLS)',
      );
    if (e.DATABASE_DIALECT === 'postgres')
      problems.push('DATABASE_DIALECT must be dsql with DATABASE_AUTH=dsql-iam');
  }
  const required = (
    name: 'DATABASE_URL' | 'DATABASE_SECRET_ARN' | 'DSQL_ENDPOINT',
    why: string,
  ) => {
    if (e[name] === undefined)
      problems.push(`${name} is required with DATABASE_AUTH=${mode} (${why})`);
    return e[name] ?? '';
  };
  let source: DatabaseSource;
  switch (mode) {
    case 'url':
      source = { auth: 'url', url: required('DATABASE_URL', 'postgres://user:password@host/db') };
      break;
    case 'secret':
      source = {
        auth: 'secret',
        secretArn: required('DATABASE_SECRET_ARN', 'the credentials’ secret in Secrets Manager'),
        host: e.DATABASE_HOST ?? null,
      };
      break;
    case 'dsql-iam':
      source = {
        auth: 'dsql-iam',
        endpoint: required('DSQL_ENDPOINT', 'the cluster endpoint, <id>.dsql.<region>.on.aws'),
        port: DSQL_PORT,
        user: e.DATABASE_USER ?? DSQL_ADMIN_USER,
        database: DSQL_DATABASE,
      };
      break;
  }
  return problems.length > count ? null : source;
}
