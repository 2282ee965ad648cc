import { DEFAULT_TASKFLOW_EVENT_SOURCE, INBOUND_COMMAND_SOURCE } from '@taskflow/platform-event-routing';
import { type CorsOrigins, CorsOriginsSchema } from '@taskflow/platform-http';
import { z } from 'zod';

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  CORS_ALLOWED_ORIGINS: CorsOriginsSchema,
  HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(1).default(10_000),
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1).default(30_000),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(1).default(5_000),
  HTTP_MAX_CONNECTIONS: z.coerce.number().int().min(1).default(1_000),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).default(15_000),
  DATABASE_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(0).default(2_000),
  DATABASE_QUERY_TIMEOUT_MS: z.coerce.number().int().min(0).default(2_000),
  DATABASE_SSL: z.enum(['disable', 'verify', 'no-verify']).default('disable'),
  DATABASE_DIALECT: z.enum(['postgres', 'dsql']).default('postgres'),
  TASKFLOW_DATA_DIR: z.string().min(1).default('.data'),
  EMBEDDED_POSTGRES_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  JWT_SECRET: z.string().min(32, 'JWT_SECRET must be at least 32 characters').optional(),
  JWT_ISSUER: z.string().min(1).default('taskflow-local'),
  JWT_AUDIENCE: z.string().min(1).default('taskflow'),
  JWKS_URL: z.url().optional(),
  JWKS_ISSUER: z.string().min(1).optional(),
  JWKS_AUDIENCE: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  AWS_REGION: z.string().min(1).default('local'),
  TASKFLOW_DEMO_TOKEN: bool.default(true),
  EVENT_BUS_NAME: z.string().min(1).optional(),
  EVENT_SOURCE: z.string().min(1).default(DEFAULT_TASKFLOW_EVENT_SOURCE),
  EVENTBRIDGE_ENDPOINT: z.url().optional(),
  DEFAULT_PROJECT_NAME: z.string().trim().min(1).max(100).default('Inbox'),
  SYSTEM_USER_EMAIL: z.email().default('system@taskflow.local'),
  // Read for their presence only: the AWS SDK reads the credentials themselves.
  AWS_ACCESS_KEY_ID: z.string().optional(),
  AWS_SECRET_ACCESS_KEY: z.string().optional(),
  AWS_PROFILE: z.string().optional(),
  AWS_WEB_IDENTITY_TOKEN_FILE: z.string().optional(),
  AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: z.string().optional(),
  AWS_CONTAINER_CREDENTIALS_FULL_URI: z.string().optional(),
});

/** The host's settings, read once from the environment and validated. */
export interface HostConfig {
  readonly port: number;
  readonly host: string;
  /** Browser origins that may call the API cross-origin (`[]`: same-origin only). */
  readonly corsOrigins: CorsOrigins;
  /** Socket limits: a client never legitimately hits them; a slow or idle one is let go. */
  readonly http: {
    /** Time to receive a request's headers. */
    readonly headersTimeoutMs: number;
    /** Time to receive a whole request, body included (not the response: streams last). */
    readonly requestTimeoutMs: number;
    /** How long an idle keep-alive connection is kept. */
    readonly keepAliveTimeoutMs: number;
    /** Connections held at once; more are refused. */
    readonly maxConnections: number;
  };
  /** Null: start the embedded PostgreSQL in the data folder. */
  readonly databaseUrl: string | null;
  readonly poolSize: number;
  readonly statementTimeoutMs: number;
  /** Client-side deadline to get a database connection (0 = none); see `DatabaseConfig`. */
  readonly connectTimeoutMs: number;
  /** Client-side deadline of each statement (0 = none); see `DatabaseConfig`. */
  readonly queryTimeoutMs: number;
  readonly ssl: 'disable' | 'verify' | 'no-verify';
  readonly dialect: 'postgres' | 'dsql';
  readonly dataDir: string;
  readonly embeddedPostgresPort: number;
  /** Null: generate one and keep it in the data folder. */
  readonly jwtSecret: string | null;
  readonly jwtIssuer: string;
  readonly jwtAudience: string;
  readonly jwks: {
    readonly url: string;
    readonly issuer: string;
    readonly audience: string | null;
  } | null;
  readonly logLevel: string;
  readonly region: string;
  readonly printDemoToken: boolean;
  /** Where events go: real EventBridge when a bus is named and AWS credentials are set. */
  readonly events: {
    /** Null: no EventBridge bus; the in-process bus is used. */
    readonly busName: string | null;
    /** `Source` of Taskflow's own events. */
    readonly source: string;
    /** EventBridge endpoint override (a VPC endpoint, a local fake); null: the Region's. */
    readonly endpoint: string | null;
    /** True when the environment names AWS credentials (keys, profile, web identity, container). */
    readonly awsCredentials: boolean;
    /** True when events go to EventBridge: `busName` is set and credentials are available. */
    readonly useEventBridge: boolean;
  };
  /** Settings of the task processor (the target of inbound task commands). */
  readonly processor: {
    /** The project that receives tasks sent without a project. */
    readonly defaultProjectName: string;
    /** The user owning that project and acting when an event names nobody. */
    readonly systemUserEmail: string;
  };
}

/** A configuration problem, reported before anything starts. */
export class ConfigError extends Error {}

/**
 * Reads and validates the environment, over `defaults` a caller may set (commands log less).
 * The only module of the host that touches process.env.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  defaults: Readonly<Record<string, string>> = {},
): HostConfig {
  const defined = {
    ...defaults,
    ...Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== '')),
  };
  const parsed = EnvSchema.safeParse(defined);
  if (!parsed.success) {
    throw new ConfigError(
      `invalid configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const e = parsed.data;
  if (e.EVENT_SOURCE === INBOUND_COMMAND_SOURCE) {
    throw new ConfigError(
      `invalid configuration: EVENT_SOURCE must differ from ${INBOUND_COMMAND_SOURCE} (our own events would loop into the processor)`,
    );
  }
  const awsCredentials =
    (e.AWS_ACCESS_KEY_ID !== undefined && e.AWS_SECRET_ACCESS_KEY !== undefined) ||
    e.AWS_PROFILE !== undefined ||
    e.AWS_WEB_IDENTITY_TOKEN_FILE !== undefined ||
    e.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI !== undefined ||
    e.AWS_CONTAINER_CREDENTIALS_FULL_URI !== undefined;
  if (e.JWKS_URL !== undefined && e.JWKS_ISSUER === undefined) {
    throw new ConfigError('invalid configuration: JWKS_ISSUER is required with JWKS_URL');
  }
  if (e.HTTP_HEADERS_TIMEOUT_MS > e.HTTP_REQUEST_TIMEOUT_MS) {
    throw new ConfigError(
      'invalid configuration: HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS',
    );
  }
  return {
    port: e.PORT,
    host: e.HOST,
    corsOrigins: e.CORS_ALLOWED_ORIGINS,
    http: {
      headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: e.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      maxConnections: e.HTTP_MAX_CONNECTIONS,
    },
    databaseUrl: e.DATABASE_URL ?? null,
    poolSize: e.DATABASE_POOL_SIZE,
    statementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS,
    connectTimeoutMs: e.DATABASE_CONNECT_TIMEOUT_MS,
    queryTimeoutMs: e.DATABASE_QUERY_TIMEOUT_MS,
    ssl: e.DATABASE_SSL,
    dialect: e.DATABASE_DIALECT,
    dataDir: e.TASKFLOW_DATA_DIR,
    embeddedPostgresPort: e.EMBEDDED_POSTGRES_PORT,
    jwtSecret: e.JWT_SECRET ?? null,
    jwtIssuer: e.JWT_ISSUER,
    jwtAudience: e.JWT_AUDIENCE,
    jwks:
      e.JWKS_URL === undefined
        ? null
        : { url: e.JWKS_URL, issuer: e.JWKS_ISSUER ?? '', audience: e.JWKS_AUDIENCE ?? null },
    logLevel: e.LOG_LEVEL,
    region: e.AWS_REGION,
    printDemoToken: e.TASKFLOW_DEMO_TOKEN,
    events: {
      busName: e.EVENT_BUS_NAME ?? null,
      source: e.EVENT_SOURCE,
      endpoint: e.EVENTBRIDGE_ENDPOINT ?? null,
      awsCredentials,
      useEventBridge: e.EVENT_BUS_NAME !== undefined && awsCredentials,
    },
    processor: {
      defaultProjectName: e.DEFAULT_PROJECT_NAME,
      systemUserEmail: e.SYSTEM_USER_EMAIL,
    },
  };
}
