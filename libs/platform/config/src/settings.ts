import type { SectionValues } from './config.schema';

/** An external identity provider (Cognito...) whose RS256 tokens are accepted too. */
export interface JwksSettings {
  readonly url: string;
  readonly issuer: string;
  readonly audience: string | null;
}

/** The identity provider `JWKS_*` names, or null when `JWKS_URL` is unset. */
export function jwksSettings(auth: SectionValues<'auth'>): JwksSettings | null {
  return auth.JWKS_URL === undefined
    ? null
    : { url: auth.JWKS_URL, issuer: auth.JWKS_ISSUER ?? '', audience: auth.JWKS_AUDIENCE ?? null };
}

/** How the pool talks to the database, the same for the host and every Lambda. */
export interface DatabaseTuning {
  readonly poolSize: number;
  readonly statementTimeoutMs: number;
  /** Client-side deadline to get a database connection (0 = none). */
  readonly connectTimeoutMs: number;
  /** Client-side deadline of each statement (0 = none). */
  readonly queryTimeoutMs: number;
  readonly ssl: SectionValues<'database'>['DATABASE_SSL'];
  readonly dialect: SectionValues<'database'>['DATABASE_DIALECT'];
}

/** The pool settings of the `database` section. */
export function databaseTuning(database: SectionValues<'database'>): DatabaseTuning {
  return {
    poolSize: database.DATABASE_POOL_SIZE,
    statementTimeoutMs: database.DATABASE_STATEMENT_TIMEOUT_MS,
    connectTimeoutMs: database.DATABASE_CONNECT_TIMEOUT_MS,
    queryTimeoutMs: database.DATABASE_QUERY_TIMEOUT_MS,
    ssl: database.DATABASE_SSL,
    dialect: database.DATABASE_DIALECT,
  };
}

/** Settings of the task processor (the target of inbound task commands). */
export interface ProcessorSettings {
  /** The project that receives tasks sent without a project. */
  readonly defaultProjectName: string;
  /** The user owning that project and acting when an event names nobody. */
  readonly systemUserEmail: string;
}

/** The processor settings of the `processor` section. */
export function processorSettings(processor: SectionValues<'processor'>): ProcessorSettings {
  return {
    defaultProjectName: processor.DEFAULT_PROJECT_NAME,
    systemUserEmail: processor.SYSTEM_USER_EMAIL,
  };
}

/**
 * The identity provider the web board signs in at (OAuth 2.0 authorization code with PKCE), as
 * the board's `/config.json` names it.
 */
export interface WebOidcSettings {
  readonly authorizeUrl: string;
  readonly tokenUrl: string;
  readonly logoutUrl: string | null;
  readonly clientId: string;
  readonly scopes: readonly string[];
}

/** The `TASKFLOW_WEB_OIDC_*` settings, or null when none is set (the rules refuse a part). */
export function webOidcSettings(webSignIn: SectionValues<'webSignIn'>): WebOidcSettings | null {
  const authorizeUrl = webSignIn.TASKFLOW_WEB_OIDC_AUTHORIZE_URL;
  const tokenUrl = webSignIn.TASKFLOW_WEB_OIDC_TOKEN_URL;
  const clientId = webSignIn.TASKFLOW_WEB_OIDC_CLIENT_ID;
  if (authorizeUrl === undefined || tokenUrl === undefined || clientId === undefined) return null;
  return {
    authorizeUrl,
    tokenUrl,
    logoutUrl: webSignIn.TASKFLOW_WEB_OIDC_LOGOUT_URL ?? null,
    clientId,
    scopes: webSignIn.TASKFLOW_WEB_OIDC_SCOPES,
  };
}
