import * as pg from 'pg';
import type { DatabaseConfig, DatabaseCredentials } from './database.config';
import { pgErrorOf } from './pg-errors';

/** SQLSTATEs of a refused login: wrong password (28P01), not authorised (28000). */
const AUTHENTICATION_FAILURES: ReadonlySet<string> = new Set(['28P01', '28000']);

/** True when the server refused a connection's credentials. */
export function isAuthenticationFailure(error: unknown): boolean {
  const code = pgErrorOf(error)?.code;
  return code !== undefined && AUTHENTICATION_FAILURES.has(code);
}

/**
 * pg connection settings that override the URL's when `credentials` gives the password: the
 * URL's parts one by one, and a password function pg calls for each new connection. (pg lets a
 * connection string win over every other setting, password included, so it must go.) Empty
 * when the URL carries everything.
 */
export function connectionTarget(config: DatabaseConfig): pg.ClientConfig {
  const { credentials } = config;
  if (credentials === undefined) return {};
  const url = new URL(config.url);
  return {
    connectionString: undefined,
    // An IPv6 literal keeps its brackets in URL.hostname; a socket address wants none.
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port === '' ? 5432 : Number(url.port),
    user: decodeURIComponent(url.username),
    database: decodeURIComponent(url.pathname.replace(/^\//, '')) || 'postgres',
    password: () => credentials.password(),
  };
}

type ConnectCallback = (
  err: Error | undefined,
  client: pg.PoolClient | undefined,
  done: (release?: boolean | Error) => void,
) => void;

/**
 * The pg module the pools are built from (the Database's, and TypeORM's for migrations): pg
 * itself, or, when the credentials can be re-read, pg with a Pool whose every new connection
 * refused for its credentials re-reads them and is tried once more. Every way into a pool
 * (statements, transactions, the migrations) goes through `Pool.connect`, so this one place
 * covers them all.
 */
export function poolDriver(config: DatabaseConfig): typeof pg {
  const refresh = config.credentials?.refresh?.bind(config.credentials);
  if (refresh === undefined) return pg;
  const Pool = refreshingPool(refresh);
  // The rest of pg (types, defaults, the lazy `native` getter) stays as it is, untouched.
  return Object.create(pg, { Pool: { value: Pool, enumerable: true } }) as typeof pg;
}

function refreshingPool(refresh: NonNullable<DatabaseCredentials['refresh']>): typeof pg.Pool {
  return class CredentialRefreshingPool extends pg.Pool {
    override connect(): Promise<pg.PoolClient>;
    override connect(callback: ConnectCallback): void;
    override connect(callback?: ConnectCallback): Promise<pg.PoolClient> | undefined {
      const started = performance.now();
      const connected = super.connect().catch(async (error: unknown) => {
        if (!isAuthenticationFailure(error)) throw error;
        await refresh(started);
        // Once only: credentials refused again right after a re-read are wrong, not rotated.
        return super.connect();
      });
      if (callback === undefined) return connected;
      connected.then(
        (client) => {
          callback(undefined, client, (release) => {
            client.release(release);
          });
        },
        (error: unknown) => {
          callback(error instanceof Error ? error : new Error(String(error)), undefined, () => {
            // Nothing to release: no connection was made.
          });
        },
      );
      return undefined;
    }
  };
}
