import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** Environment variable holding the test server's URL; set by `jest.global-setup.mjs`. */
export const TEST_DATABASE_URL_ENV = 'TASKFLOW_TEST_DATABASE_URL';

/** A throwaway database on the test server, created by {@link createTestDatabase}. */
export interface TestDatabase {
  /** Connection URL of the new database (the server URL with its database name replaced). */
  readonly url: string;
  /** Name of the new database, `tf_<prefix>_<random>`. */
  readonly name: string;
  /** Drops the database, disconnecting any sessions still open on it. Safe to call more than once. */
  drop(): Promise<void>;
}

const CONNECT_TIMEOUT_MS = 10_000;
// PostgreSQL truncates identifiers at 63 bytes; 'tf_' + '_' + 12 random hex characters leave 47.
const MAX_PREFIX_LENGTH = 47;

/**
 * Creates a fresh, uniquely named database on the server named by `TASKFLOW_TEST_DATABASE_URL`,
 * so that each test suite works in isolation, in parallel with the others.
 *
 * @param prefix - readable part of the name (lowercased; characters other than `a-z`, `0-9` and
 *   `_` become `_`).
 * @returns the database's URL and a `drop()` that removes it (`DROP DATABASE … WITH (FORCE)`).
 * @throws when `TASKFLOW_TEST_DATABASE_URL` is not set (Jest runs without the global setup) or the
 *   server cannot be reached.
 */
export async function createTestDatabase(prefix = 'test'): Promise<TestDatabase> {
  const serverUrl = process.env[TEST_DATABASE_URL_ENV];
  if (serverUrl === undefined || serverUrl === '') {
    throw new Error(
      `${TEST_DATABASE_URL_ENV} is not set: run this test through a Jest config whose globalSetup is ` +
        'libs/platform/testing/jest.global-setup.mjs, or set it to a PostgreSQL server URL',
    );
  }
  const name = `tf_${sanitise(prefix)}_${randomBytes(6).toString('hex')}`;
  await onServer(serverUrl, `CREATE DATABASE ${quoteIdentifier(name)}`);

  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  let dropped: Promise<void> | undefined;
  return {
    url: url.toString(),
    name,
    drop: () => {
      dropped ??= onServer(
        serverUrl,
        `DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`,
      ).catch((error: unknown) => {
        // A failed drop may be retried.
        dropped = undefined;
        throw error;
      });
      return dropped;
    },
  };
}

function sanitise(prefix: string): string {
  const cleaned = prefix
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, MAX_PREFIX_LENGTH);
  return cleaned === '' ? 'test' : cleaned;
}

function quoteIdentifier(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

async function onServer(serverUrl: string, sql: string): Promise<void> {
  const client = new Client({
    connectionString: serverUrl,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
