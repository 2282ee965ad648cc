import { createTestDatabase } from '@taskflow/platform-testing';
import { Client } from 'pg';
import { type Host, composeHost } from '../composition';
import { type HostConfig, loadConfig } from '../config';
import { type RunningServer, listen } from '../server';
import { madeBeforeAll } from './suite';

/** A response as the tests read it. */
export interface TestResponse {
  readonly status: number;
  readonly headers: Headers;
  /** Parsed JSON, or null when the body is empty. */
  readonly body: unknown;
  readonly text: string;
}

/** A real host on a fresh database, served over HTTP on a free port. */
export interface TestHost {
  readonly url: string;
  readonly host: Host;
  /** A bearer token for this e-mail (the user is registered if missing) and its user id. */
  login(email: string, name?: string): Promise<{ token: string; userId: string }>;
  /** Sends a request; `body` objects are sent as JSON unless `raw` is given. */
  request(
    method: string,
    path: string,
    options?: {
      token?: string;
      body?: unknown;
      raw?: string | Buffer;
      headers?: Record<string, string>;
    },
  ): Promise<TestResponse>;
  /** Stops the host and drops its database (once, however often it is called). */
  stop(): Promise<void>;
}

const TEST_SECRET = 'test-secret-test-secret-test-secret-0123456789';

/**
 * Starts a host with its own database (embedded, DATABASE_URL or container per the global setup).
 * `reach` turns the database's URL into the one the host connects to (through a proxy).
 */
export async function startTestHost(
  prefix = 'e2e',
  overrides: Partial<HostConfig> = {},
  reach: (databaseUrl: string) => string = (url) => url,
): Promise<TestHost> {
  const database = await createTestDatabase(prefix);
  const config: HostConfig = {
    ...loadConfig({}),
    databaseUrl: reach(database.url),
    jwtSecret: TEST_SECRET,
    logLevel: process.env['TEST_HOST_LOG_LEVEL'] ?? 'silent',
    poolSize: 8,
    ...overrides,
  };
  const host = await composeHost(config);
  let running: RunningServer;
  try {
    running = await listen(host, 0, '127.0.0.1');
  } catch (error) {
    await host.close();
    await database.drop();
    throw error;
  }
  const request: TestHost['request'] = async (method, path, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
    let body: string | Buffer | undefined;
    if (options.raw !== undefined) body = options.raw;
    else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${running.url}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
    });
    const text = await response.text();
    let parsed: unknown = null;
    if (text.length > 0) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = null;
      }
    }
    return { status: response.status, headers: response.headers, body: parsed, text };
  };
  let stopped: Promise<void> | null = null;
  return {
    url: running.url,
    host,
    request,
    login: async (email, name = email.split('@')[0] ?? email) => {
      const user = await host.users.ensureByEmail({ email, name }, 'test');
      return { token: await host.tokens.issue(user, 3600), userId: user.id };
    },
    stop: () =>
      (stopped ??= (async () => {
        await running.stop(1_000);
        await database.drop();
      })()),
  };
}

/**
 * Starts a test host in a `beforeAll` of the calling suite and stops it after the suite (see
 * {@link madeBeforeAll}: call it first, so that the suite's own `beforeAll` hooks can use it).
 */
export function useTestHost(prefix: string, overrides: Partial<HostConfig> = {}): TestHost {
  return madeBeforeAll(
    `the ${prefix} test host`,
    () => startTestHost(prefix, overrides),
    (t) => t.stop(),
  );
}

/**
 * A real outage as the host sees it: its database's sessions are killed and new connections
 * refused. Resolves to the function that ends it (safe to call more than once).
 */
export async function cutDatabase(t: TestHost): Promise<() => Promise<void>> {
  const database = new URL(t.host.config.databaseUrl ?? '').pathname.slice(1);
  const admin = new Client({ connectionString: process.env['TASKFLOW_TEST_DATABASE_URL'] });
  await admin.connect();
  await admin.query(`ALTER DATABASE "${database}" ALLOW_CONNECTIONS false`);
  await admin.query(
    'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
    [database],
  );
  let restored: Promise<void> | null = null;
  return () =>
    (restored ??= (async () => {
      try {
        await admin.query(`ALTER DATABASE "${database}" ALLOW_CONNECTIONS true`);
      } finally {
        await admin.end();
      }
    })());
}
