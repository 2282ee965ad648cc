import type { CoreSettings } from '@taskflow/composition';
import { DEFAULT_TASKFLOW_EVENT_SOURCE, INBOUND_COMMAND_SOURCE } from '@taskflow/event-routing';
import { CorsOriginsSchema } from '@taskflow/http-api';
import { z } from 'zod';

const EnvSchema = z.object({
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }),
  // One invocation at a time per execution environment: a small pool is enough, and Aurora's
  // connection limit is shared by every concurrent environment.
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(20).default(2),
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
  DATABASE_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(0).default(2_000),
  DATABASE_QUERY_TIMEOUT_MS: z.coerce.number().int().min(0).default(2_000),
  DATABASE_SSL: z.enum(['disable', 'verify', 'no-verify']).default('verify'),
  DATABASE_DIALECT: z.enum(['postgres', 'dsql']).default('postgres'),
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

/** Settings of a Taskflow Lambda function, read once per execution environment. */
export interface LambdaConfig {
  readonly database: {
    readonly url: string;
    readonly poolSize: number;
    readonly statementTimeoutMs: number;
    /** Client-side deadline to get a database connection (0 = none). */
    readonly connectTimeoutMs: number;
    /** Client-side deadline of each statement (0 = none). */
    readonly queryTimeoutMs: number;
    readonly ssl: 'disable' | 'verify' | 'no-verify';
    readonly dialect: 'postgres' | 'dsql';
  };
  /** Null for a function that serves no caller (the migrator, ws-disconnect, the broadcaster). */
  readonly auth: Omit<CoreSettings, 'region'> | null;
  readonly region: string;
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
  /** Token verification and stream tickets (JWT_SECRET); every function but the migrator. */
  readonly auth?: boolean;
  readonly events?: boolean;
  readonly websocket?: boolean;
}

/** Reads and validates the function's environment. The only reader of process.env here. */
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
  if (e.EVENT_SOURCE === INBOUND_COMMAND_SOURCE)
    problems.push(
      `EVENT_SOURCE must differ from ${INBOUND_COMMAND_SOURCE} (our own events would loop into the processor)`,
    );
  if (e.JWKS_URL !== undefined && e.JWKS_ISSUER === undefined)
    problems.push('JWKS_ISSUER is required with JWKS_URL');
  if (needs.auth !== false && e.JWT_SECRET === undefined)
    problems.push('JWT_SECRET is required (signs stream tickets; verifies local tokens)');
  if (needs.events === true && e.EVENT_BUS_NAME === undefined)
    problems.push('EVENT_BUS_NAME is required (this function publishes events)');
  if (needs.websocket === true && e.WEBSOCKET_CALLBACK_URL === undefined)
    problems.push('WEBSOCKET_CALLBACK_URL is required (this function posts to WebSocket clients)');
  if (problems.length > 0)
    throw new LambdaConfigError(`invalid configuration: ${problems.join('; ')}`);
  return {
    database: {
      url: e.DATABASE_URL,
      poolSize: e.DATABASE_POOL_SIZE,
      statementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS,
      connectTimeoutMs: e.DATABASE_CONNECT_TIMEOUT_MS,
      queryTimeoutMs: e.DATABASE_QUERY_TIMEOUT_MS,
      ssl: e.DATABASE_SSL,
      dialect: e.DATABASE_DIALECT,
    },
    auth:
      e.JWT_SECRET === undefined
        ? null
        : {
            signingSecret: e.JWT_SECRET,
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
