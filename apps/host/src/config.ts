import {
  type CorsOrigins,
  ConfigError,
  type DatabaseTuning,
  type JwksSettings,
  type ProcessorSettings,
  type WebOidcSettings,
  databaseTuning,
  jwksSettings,
  parseEnvironment,
  processorSettings,
  webOidcSettings,
} from '@taskflow/platform-config';

// The schema's one error class: the host stops with its message.
export { ConfigError };

/** The host's settings, read once from the environment and validated. */
export interface HostConfig extends DatabaseTuning {
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
  readonly dataDir: string;
  /** The built web board, served at `/` when the folder exists. */
  readonly webDir: string;
  readonly embeddedPostgresPort: number;
  /** Null: generate one and keep it in the data folder. */
  readonly jwtSecret: string | null;
  readonly jwtIssuer: string;
  readonly jwtAudience: string;
  readonly jwks: JwksSettings | null;
  readonly logLevel: string;
  readonly region: string;
  readonly printDemoToken: boolean;
  /**
   * Serve `POST /dev/sign-in` (the web board's local sign-in): by default only in the local
   * set-up, where the host signs its own tokens with the secret it generated.
   */
  readonly devSignIn: boolean;
  /**
   * The identity provider the served board signs in at (its `/config.json`); null: the board
   * uses the development sign-in when it is served.
   */
  readonly webOidc: WebOidcSettings | null;
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
  readonly processor: ProcessorSettings;
}

/**
 * Reads and validates the host's variables of the one configuration schema, over `defaults` a
 * caller may set (commands log less). The only module of the host that touches process.env.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  defaults: Readonly<Record<string, string>> = {},
): HostConfig {
  const { http, cors, database, local, webSignIn, auth, events, processor, aws, awsCredentials } =
    parseEnvironment(env, { entry: 'host', defaults });
  const credentials =
    (awsCredentials.AWS_ACCESS_KEY_ID !== undefined &&
      awsCredentials.AWS_SECRET_ACCESS_KEY !== undefined) ||
    awsCredentials.AWS_PROFILE !== undefined ||
    awsCredentials.AWS_WEB_IDENTITY_TOKEN_FILE !== undefined ||
    awsCredentials.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI !== undefined ||
    awsCredentials.AWS_CONTAINER_CREDENTIALS_FULL_URI !== undefined;
  return {
    port: http.PORT,
    host: http.HOST,
    corsOrigins: cors.CORS_ALLOWED_ORIGINS,
    http: {
      headersTimeoutMs: http.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: http.HTTP_REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: http.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      maxConnections: http.HTTP_MAX_CONNECTIONS,
    },
    databaseUrl: database.DATABASE_URL ?? null,
    ...databaseTuning(database),
    dataDir: local.TASKFLOW_DATA_DIR,
    webDir: local.TASKFLOW_WEB_DIR,
    embeddedPostgresPort: local.EMBEDDED_POSTGRES_PORT,
    jwtSecret: auth.JWT_SECRET ?? null,
    jwtIssuer: auth.JWT_ISSUER,
    jwtAudience: auth.JWT_AUDIENCE,
    jwks: jwksSettings(auth),
    logLevel: local.LOG_LEVEL,
    region: aws.AWS_REGION,
    printDemoToken: local.TASKFLOW_DEMO_TOKEN,
    devSignIn:
      local.TASKFLOW_DEV_SIGN_IN ?? (auth.JWT_SECRET === undefined && auth.JWKS_URL === undefined),
    webOidc: webOidcSettings(webSignIn),
    events: {
      busName: events.EVENT_BUS_NAME ?? null,
      source: events.EVENT_SOURCE,
      endpoint: events.EVENTBRIDGE_ENDPOINT ?? null,
      awsCredentials: credentials,
      useEventBridge: events.EVENT_BUS_NAME !== undefined && credentials,
    },
    processor: processorSettings(processor),
  };
}
