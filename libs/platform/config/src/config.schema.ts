import { DEFAULT_TASKFLOW_EVENT_SOURCE } from '@taskflow/platform-event-routing';
import { z } from 'zod';
import { CorsOriginsSchema } from './cors-origins.schema';
import type { LambdaAppName, LambdaNeeds } from './lambda-needs';

/**
 * The Lambda functions that use a setting: none, all, those whose {@link LambdaNeeds} ask for
 * it, or the ones named.
 */
export type LambdaUse =
  'none' | 'all' | { readonly need: keyof LambdaNeeds } | readonly LambdaAppName[];

/** One environment variable: how it parses (with its one default, if any) and its doc line. */
export interface ConfigVariable<S extends z.ZodType = z.ZodType> {
  readonly schema: S;
  /** One line for the docs: what it is for, and its values when they are few. */
  readonly description: string;
  /** The default as the docs show it, where it is not the schema's own value (derived, generated). */
  readonly shownDefault?: string;
  /** The Lambda functions that use it, where fewer than its section's. */
  readonly lambdas?: LambdaUse;
}

/**
 * Variables that belong together, and who reads them. The host parses the sections marked
 * `host`; every Lambda function parses every section its `lambdas` does not mark `none` (one
 * list, which the CDK app's contract test checks), and its needs decide what is required.
 */
export interface ConfigSection<
  V extends Readonly<Record<string, ConfigVariable>> = Readonly<Record<string, ConfigVariable>>,
> {
  readonly host: boolean;
  readonly lambdas: LambdaUse;
  readonly variables: V;
}

function variable<S extends z.ZodType>(
  schema: S,
  description: string,
  more: Omit<ConfigVariable, 'schema' | 'description'> = {},
): ConfigVariable<S> {
  return { schema, description, ...more };
}

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const milliseconds = z.coerce.number().int();

/** A duration in milliseconds: at least `min`, `fallback` when unset. */
function duration(min: number, fallback: number, description: string) {
  return variable(milliseconds.min(min).default(fallback), description);
}

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

/** An http(s) URL a browser is sent to or calls (the board's identity provider). */
const WebUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

/** How a Lambda function gets its database credentials: `DATABASE_AUTH`. */
export const DATABASE_AUTH_MODES = ['url', 'secret', 'dsql-iam'] as const;
/** A mode of {@link DATABASE_AUTH_MODES}. */
export type DatabaseAuth = (typeof DATABASE_AUTH_MODES)[number];

/** The variables that belong to each `DATABASE_AUTH`; another mode's are refused with it. */
export const DATABASE_AUTH_VARIABLES = {
  url: ['DATABASE_URL'],
  secret: ['DATABASE_SECRET_ARN', 'DATABASE_HOST'],
  'dsql-iam': ['DSQL_ENDPOINT', 'DATABASE_USER'],
} as const satisfies Record<DatabaseAuth, readonly string[]>;

/** The database user DSQL's `DbConnectAdmin` action signs in (`DATABASE_USER` unset). */
export const DSQL_ADMIN_USER = 'admin';

/** TLS to the database: `verify` checks the certificate, `no-verify` only encrypts. */
export const DATABASE_SSL_MODES = ['disable', 'verify', 'no-verify'] as const;
/** SQL dialect of the database: PostgreSQL, or Aurora DSQL's subset. */
export const DATABASE_DIALECTS = ['postgres', 'dsql'] as const;

// Read for their presence only: the AWS SDK reads the credentials themselves.
const awsCredential = variable(
  z.string().optional(),
  'AWS credentials, read by the AWS SDK; with `EVENT_BUS_NAME`, their presence sends the host’s events to EventBridge',
);

/** A Lambda function serves one invocation at a time: more connections would sit idle. */
export const LAMBDA_MAX_POOL_SIZE = 20;

/**
 * Every environment variable Taskflow reads, by section, each with its one default. The host
 * and each Lambda take their subset ({@link parseEnvironment}); the README's table is rendered
 * from here ({@link renderConfigTable}).
 */
export const CONFIG_SECTIONS = {
  http: {
    host: true,
    lambdas: 'none',
    variables: {
      PORT: variable(
        z.coerce.number().int().min(0).max(65535).default(3000),
        'HTTP port (`0` picks a free one)',
      ),
      HOST: variable(
        z.string().min(1).default('127.0.0.1'),
        'interface to listen on (`0.0.0.0` for all)',
      ),
      HTTP_HEADERS_TIMEOUT_MS: duration(
        1,
        10_000,
        'time a client has to send a request’s headers (then 408); at most `HTTP_REQUEST_TIMEOUT_MS`',
      ),
      HTTP_REQUEST_TIMEOUT_MS: duration(
        1,
        30_000,
        'time a client has to send a whole request, body included (streams’ responses are not limited)',
      ),
      HTTP_KEEP_ALIVE_TIMEOUT_MS: duration(
        1,
        5_000,
        'how long an idle keep-alive connection is kept (raise it above a load balancer’s idle timeout)',
      ),
      HTTP_MAX_CONNECTIONS: variable(
        z.coerce.number().int().min(1).default(1_000),
        'connections held at once (live streams count); more are refused',
      ),
    },
  },
  cors: {
    host: true,
    lambdas: ['api'],
    variables: {
      CORS_ALLOWED_ORIGINS: variable(
        CorsOriginsSchema,
        'browser origins allowed to call the API, comma-separated (`https://board.example,http://localhost:5173`), or `*` for any',
        { shownDefault: '— (same-origin only)' },
      ),
    },
  },
  database: {
    host: true,
    lambdas: 'all',
    variables: {
      DATABASE_URL: variable(
        z.url({ protocol: /^postgres(ql)?$/ }).optional(),
        '`postgres://user:pass@host:5432/db`, password inside; the host starts an embedded PostgreSQL in the data folder without it; Lambdas: with `DATABASE_AUTH=url` only',
      ),
      DATABASE_POOL_SIZE: variable(
        z.coerce.number().int().min(1).max(200).default(10),
        `connections in the process-wide pool (at most ${String(LAMBDA_MAX_POOL_SIZE)} in a Lambda function, which serves one invocation at a time)`,
      ),
      DATABASE_STATEMENT_TIMEOUT_MS: duration(
        0,
        15_000,
        'server-side statement timeout (`0` = none); the migrator sets none',
      ),
      DATABASE_CONNECT_TIMEOUT_MS: duration(
        0,
        2_000,
        'longest wait for a connection (from the pool, or a new one): past it a request answers 503; the migrator waits at least 60 s',
      ),
      DATABASE_QUERY_TIMEOUT_MS: duration(
        0,
        2_000,
        'client-side deadline of each statement (`0` = none): a frozen database answers 503 within it, and the connection is discarded',
      ),
      DATABASE_SSL: variable(
        z.enum(DATABASE_SSL_MODES).optional(),
        '`disable`, `verify` (TLS with certificate check) or `no-verify`; by default `verify` with `DATABASE_AUTH` `secret` or `dsql-iam` (the only one allowed there), else `disable`',
        { shownDefault: 'by `DATABASE_AUTH`' },
      ),
      DATABASE_DIALECT: variable(
        z.enum(DATABASE_DIALECTS).optional(),
        '`postgres`, or `dsql` for Aurora DSQL (`CREATE INDEX ASYNC`, no advisory lock); by default `dsql` with `DATABASE_AUTH=dsql-iam` (the only one allowed there), else `postgres`',
        { shownDefault: 'by `DATABASE_AUTH`' },
      ),
    },
  },
  databaseAccess: {
    host: false,
    lambdas: 'all',
    variables: {
      DATABASE_AUTH: variable(
        z.enum(DATABASE_AUTH_MODES).default('url'),
        'where a function’s database credentials come from: `url` (local runs and tests), `secret` (Aurora PostgreSQL), `dsql-iam` (Aurora DSQL); another mode’s variable is refused',
      ),
      DATABASE_SECRET_ARN: variable(
        SecretArn.optional(),
        'with `DATABASE_AUTH=secret`: the credentials’ secret in RDS’s JSON shape (`username`, `password`, `host`, `port`, `dbname`), read at cold start',
      ),
      DATABASE_HOST: variable(
        HostName.optional(),
        'with `DATABASE_AUTH=secret`: overrides the secret’s `host` (an RDS Proxy endpoint, a replica region’s cluster)',
      ),
      DSQL_ENDPOINT: variable(
        HostName.optional(),
        'with `DATABASE_AUTH=dsql-iam`: the cluster endpoint, `<id>.dsql.<region>.on.aws` (port 5432, database `postgres`)',
      ),
      DATABASE_USER: variable(
        z.string().min(1).max(63).optional(),
        'with `DATABASE_AUTH=dsql-iam`: the user a fresh IAM token signs in (`admin`: `DbConnectAdmin`, any other: `DbConnect`)',
        { shownDefault: `\`${DSQL_ADMIN_USER}\`` },
      ),
    },
  },
  auth: {
    host: true,
    lambdas: { need: 'auth' },
    variables: {
      JWT_SECRET: variable(
        z.string().min(32, 'JWT_SECRET must be at least 32 characters').optional(),
        'HS256 secret (≥ 32 characters) of Taskflow’s tokens and stream tickets; the host generates one into `.data/jwt-secret` once; Lambdas: local runs only, not with `JWT_SECRET_ARN`',
        { shownDefault: 'host: generated' },
      ),
      JWT_ISSUER: variable(
        z.string().min(1).default('taskflow'),
        '`iss` claim of Taskflow’s own tokens',
      ),
      JWT_AUDIENCE: variable(
        z.string().min(1).default('taskflow'),
        '`aud` claim of Taskflow’s own tokens',
      ),
      JWKS_URL: variable(
        z.url().optional(),
        'also accept RS256 tokens whose keys are at this JWKS URL (e.g. Cognito); users are found, or registered on first sign-in, by their `email` claim',
      ),
      JWKS_ISSUER: variable(
        z.string().min(1).optional(),
        'required issuer of the JWKS tokens (with `JWKS_URL`)',
      ),
      JWKS_AUDIENCE: variable(
        z.string().min(1).optional(),
        'audience of the JWKS tokens, when they must have one',
      ),
    },
  },
  secrets: {
    host: false,
    lambdas: 'all',
    variables: {
      JWT_SECRET_ARN: variable(
        SecretArn.optional(),
        'the HS256 secret by ARN (a plain SecretString of ≥ 32 characters), read at cold start',
        { lambdas: { need: 'auth' } },
      ),
      SECRETS_MANAGER_ENDPOINT: variable(
        z.url().optional(),
        'overrides the Secrets Manager endpoint (local fakes, tests)',
      ),
    },
  },
  events: {
    host: true,
    lambdas: { need: 'events' },
    variables: {
      EVENT_BUS_NAME: variable(
        z.string().min(1).optional(),
        'EventBridge bus Taskflow’s events are published to; the host uses it when AWS credentials are set, else its in-process bus',
      ),
      EVENT_SOURCE: variable(
        z.string().min(1).default(DEFAULT_TASKFLOW_EVENT_SOURCE),
        '`Source` of Taskflow’s own events (never the inbound commands’ `task.management`)',
      ),
      EVENTBRIDGE_ENDPOINT: variable(
        z.url().optional(),
        'EventBridge endpoint override (a VPC endpoint, a local fake); unset: the Region’s',
      ),
    },
  },
  processor: {
    host: true,
    lambdas: ['processor'],
    variables: {
      DEFAULT_PROJECT_NAME: variable(
        z.string().trim().min(1).max(100).default('Inbox'),
        'the project that receives inbound tasks sent without a project',
      ),
      SYSTEM_USER_EMAIL: variable(
        z.email().default('system@taskflow.local'),
        'the user owning that project, acting when an inbound event names nobody',
      ),
    },
  },
  websocket: {
    host: false,
    lambdas: { need: 'websocket' },
    variables: {
      WEBSOCKET_CALLBACK_URL: variable(
        z.url().optional(),
        'API Gateway’s WebSocket callback URL (`https://{api}.execute-api.{region}.amazonaws.com/{stage}`)',
      ),
    },
  },
  local: {
    host: true,
    lambdas: 'none',
    variables: {
      TASKFLOW_DATA_DIR: variable(
        z.string().min(1).default('.data'),
        'embedded database and generated JWT secret',
      ),
      TASKFLOW_WEB_DIR: variable(
        z.string().min(1).default('dist/apps/web'),
        'the built web board the host serves at `/` (`npx nx build web`); absent: the API alone',
      ),
      EMBEDDED_POSTGRES_PORT: variable(
        z.coerce.number().int().min(0).max(65535).default(0),
        'fixed port for the embedded PostgreSQL (`0`: a free port at each start)',
      ),
      TASKFLOW_DEMO_TOKEN: variable(bool.default(true), 'print a demo token on start'),
      TASKFLOW_DEV_SIGN_IN: variable(
        bool.optional(),
        'serve `POST /dev/sign-in` (a token for any e-mail, no password) for the web board; default: on only while neither `JWT_SECRET` nor `JWKS_URL` is set; never with `JWKS_URL`',
      ),
      LOG_LEVEL: variable(
        z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
        'pino level (the CLI commands default to `warn`)',
      ),
    },
  },
  webSignIn: {
    host: true,
    lambdas: 'none',
    variables: {
      TASKFLOW_WEB_OIDC_AUTHORIZE_URL: variable(
        WebUrl.optional(),
        'the board signs in at this OAuth 2.0 authorization endpoint, code flow with PKCE (Cognito: `https://<domain>/oauth2/authorize`); needs `…_TOKEN_URL`, `…_CLIENT_ID`, `JWKS_URL`',
      ),
      TASKFLOW_WEB_OIDC_TOKEN_URL: variable(
        WebUrl.optional(),
        'the provider’s token endpoint, where the board exchanges the code (Cognito: `https://<domain>/oauth2/token`); it must allow the board’s origin (CORS)',
      ),
      TASKFLOW_WEB_OIDC_LOGOUT_URL: variable(
        WebUrl.optional(),
        'where Sign out goes, with `client_id` and `logout_uri` (Cognito: `https://<domain>/logout`); unset: the board only forgets its session',
      ),
      TASKFLOW_WEB_OIDC_CLIENT_ID: variable(
        z.string().trim().min(1).max(256).optional(),
        'the board’s public client id at the provider (no secret); its ID tokens’ `aud`, so `JWKS_AUDIENCE` should name it',
      ),
      TASKFLOW_WEB_OIDC_SCOPES: variable(
        z
          .string()
          .transform((value) => value.split(/[\s,]+/).filter((scope) => scope !== ''))
          .pipe(
            z
              .array(z.string())
              .refine(
                (scopes) => scopes.includes('openid'),
                'must include openid (the ID token the API verifies)',
              ),
          )
          .default(['openid', 'email', 'profile']),
        'scopes the board asks for, space- or comma-separated; must include `openid`',
        { shownDefault: '`openid email profile`' },
      ),
    },
  },
  aws: {
    host: true,
    lambdas: 'all',
    variables: {
      AWS_REGION: variable(
        z.string().min(1).default('local'),
        'Region of EventBridge, Secrets Manager and DSQL tokens, reported by `/health`; required in a Lambda function (Lambda sets it)',
      ),
    },
  },
  awsCredentials: {
    host: true,
    lambdas: 'none',
    variables: {
      AWS_ACCESS_KEY_ID: awsCredential,
      AWS_SECRET_ACCESS_KEY: awsCredential,
      AWS_PROFILE: awsCredential,
      AWS_WEB_IDENTITY_TOKEN_FILE: awsCredential,
      AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: awsCredential,
      AWS_CONTAINER_CREDENTIALS_FULL_URI: awsCredential,
    },
  },
  lambda: {
    host: false,
    lambdas: 'all',
    variables: {
      AWS_LAMBDA_FUNCTION_NAME: variable(
        z.string().min(1).default('taskflow-local'),
        'set by Lambda: names the function’s database connections and, with the log stream, its relay leases',
      ),
      AWS_LAMBDA_LOG_STREAM_NAME: variable(
        z.string().min(1).optional(),
        'set by Lambda: unique per execution environment (the relay’s lease owner; else the process id)',
      ),
      AWS_XRAY_DAEMON_ADDRESS: variable(
        z.string().min(1).optional(),
        'set by Lambda with active tracing: X-Ray subsegments for SQL and AWS calls',
      ),
    },
  },
} as const satisfies Readonly<Record<string, ConfigSection>>;

/** A section's variables by name, their individual types aside (to iterate over them). */
export function sectionVariables(name: SectionName): Readonly<Record<string, ConfigVariable>> {
  const section: ConfigSection = CONFIG_SECTIONS[name];
  return section.variables;
}

type Sections = typeof CONFIG_SECTIONS;
/** A section of {@link CONFIG_SECTIONS}. */
export type SectionName = keyof Sections;
/** The sections the host parses. */
export type HostSectionName = {
  [K in SectionName]: Sections[K]['host'] extends true ? K : never;
}[SectionName];
/** The sections every Lambda function parses. */
export type LambdaSectionName = {
  [K in SectionName]: Sections[K]['lambdas'] extends 'none' ? never : K;
}[SectionName];

/** Variables whose default depends on another one's value (see `DATABASE_SSL`). */
type DerivedVariable = 'DATABASE_SSL' | 'DATABASE_DIALECT';

type Parsed<K extends SectionName, N extends keyof Sections[K]['variables']> =
  Sections[K]['variables'][N] extends ConfigVariable<infer S> ? z.output<S> : never;

/** A section's variables as parsed, before the derived defaults (what the rules see). */
export type RawSectionValues<K extends SectionName> = {
  readonly [N in keyof Sections[K]['variables']]: Parsed<K, N>;
};

/** A section's variables, parsed and with every default applied. */
export type SectionValues<K extends SectionName> = {
  readonly [N in keyof Sections[K]['variables']]: N extends DerivedVariable
    ? NonNullable<Parsed<K, N>>
    : Parsed<K, N>;
};

/** The parsed environment of an entry point, by section. */
export type Environment<K extends SectionName> = { readonly [S in K]: SectionValues<S> };
