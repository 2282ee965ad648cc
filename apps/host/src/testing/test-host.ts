import { createTestDatabase } from '@taskflow/platform-testing';
import { Client } from 'pg';
import { type Host, composeHost } from '../composition';
import { type HostConfig, loadConfig } from '../config';
import { type RunningServer, listen } from '../server';

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
  return {
    url: running.url,
    host,
    request,
    login: async (email, name = email.split('@')[0] ?? email) => {
      const user = await host.users.ensureByEmail({ email, name }, 'test');
      return { token: await host.tokens.issue(user, 3600), userId: user.id };
    },
    stop: async () => {
      await running.stop(1_000);
      await database.drop();
    },
  };
}

/**
 * Starts a test host before the suite's tests and stops it after them (jest `beforeAll` and
 * `afterAll` of the calling `describe`). The returned host stands for the running one from the
 * suite's own `beforeAll` hooks on.
 */
export function useTestHost(prefix: string, overrides: Partial<HostConfig> = {}): TestHost {
  let running: TestHost | null = null;
  const current = (): TestHost => {
    if (running === null) throw new Error(`the ${prefix} test host is not running`);
    return running;
  };
  beforeAll(async () => {
    running = await startTestHost(prefix, overrides);
  });
  afterAll(async () => {
    const stopping = running;
    running = null;
    await stopping?.stop();
  });
  return {
    get url() {
      return current().url;
    },
    get host() {
      return current().host;
    },
    login: (email, name) => current().login(email, name),
    request: (method, path, options) => current().request(method, path, options),
    stop: async () => {
      const stopping = current();
      running = null;
      await stopping.stop();
    },
  };
}

/** Narrows an unknown JSON body to a record for property access in assertions. */
export function asRecord(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`expected a JSON object, got ${JSON.stringify(value)}`);
  }
  return value as Record<string, unknown>;
}

/** The `items` of a list response. */
export function itemsOf(value: unknown): Record<string, unknown>[] {
  const items = asRecord(value)['items'];
  if (!Array.isArray(items)) throw new Error(`expected items, got ${JSON.stringify(value)}`);
  return items.map(asRecord);
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

/** A signed-in test user. */
export interface Login {
  readonly token: string;
  readonly userId: string;
}

/** A project's owner, an editor and a viewer of it, and a stranger outside it. */
export interface Team {
  readonly owner: Login;
  readonly editor: Login;
  readonly viewer: Login;
  readonly stranger: Login;
  readonly projectId: string;
}

/** Creates a project over HTTP as the holder of `token` and returns its id. */
export async function createProject(t: TestHost, token: string, name: string): Promise<string> {
  const created = await t.request('POST', '/projects', { token, body: { name } });
  if (created.status !== 201)
    throw new Error(`creating project ${name} answered ${created.status}`);
  return String(asRecord(created.body)['id']);
}

/** Creates a task over HTTP as the holder of `token` and returns it as the API answered it. */
export async function createTask(
  t: TestHost,
  token: string,
  body: { readonly projectId: string; readonly title: string } & Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const created = await t.request('POST', '/tasks', { token, body });
  if (created.status !== 201)
    throw new Error(`creating task ${body.title} answered ${created.status}`);
  return asRecord(created.body);
}

/** Signs in `email` and creates a project of theirs over HTTP: its owner and its id. */
export async function ownerWithProject(
  t: TestHost,
  email: string,
  projectName: string,
): Promise<{ owner: Login; projectId: string }> {
  const owner = await t.login(email);
  return { owner, projectId: await createProject(t, owner.token, projectName) };
}

/** A signed-in owner of one project. */
export interface ProjectOwner extends Login {
  readonly projectId: string;
}

/**
 * Signs in `email` and creates a project of theirs in a `beforeAll` of the calling suite (after
 * the host's, so call it after {@link useTestHost}); the returned owner is theirs from then on.
 */
export function useProjectOwner(t: TestHost, email: string, projectName: string): ProjectOwner {
  let owner: ProjectOwner | null = null;
  const current = (): ProjectOwner => {
    if (owner === null) throw new Error(`${email} has no project yet`);
    return owner;
  };
  beforeAll(async () => {
    const { owner: login, projectId } = await ownerWithProject(t, email, projectName);
    owner = { ...login, projectId };
  });
  return {
    get token() {
      return current().token;
    },
    get userId() {
      return current().userId;
    },
    get projectId() {
      return current().projectId;
    },
  };
}

/**
 * Asserts that `response` is a whole problem document (RFC 9457) of this status, and of this
 * `code` when given; returns the document.
 */
export function expectProblem(
  response: TestResponse,
  status: number,
  code?: string,
): Record<string, unknown> {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toContain('application/problem+json');
  const problem = asRecord(response.body);
  expect(problem).toMatchObject({
    status,
    type: expect.any(String),
    title: expect.any(String),
    detail: expect.any(String),
  });
  if (code !== undefined) expect(problem['code']).toBe(code);
  return problem;
}

/** Signs in the four people of a {@link Team} and creates their project over HTTP. */
export async function seedTeam(t: TestHost, projectName: string): Promise<Team> {
  const owner = await t.login('owner@example.com', 'Olive Owner');
  const editor = await t.login('editor@example.com', 'Eddie Editor');
  const viewer = await t.login('viewer@example.com', 'Vera Viewer');
  const stranger = await t.login('stranger@example.com', 'Sam Stranger');
  const projectId = await createProject(t, owner.token, projectName);
  for (const [member, role] of [
    [editor, 'editor'],
    [viewer, 'viewer'],
  ] as const) {
    const added = await t.request('POST', `/projects/${projectId}/members`, {
      token: owner.token,
      body: { userId: member.userId, role },
    });
    if (added.status !== 201) throw new Error(`adding the ${role} answered ${added.status}`);
  }
  return { owner, editor, viewer, stranger, projectId };
}
