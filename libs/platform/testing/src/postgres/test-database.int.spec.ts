import { Client } from 'pg';
import { createTestDatabase, TEST_DATABASE_URL_ENV, type TestDatabase } from './test-database';

function serverUrl(): string {
  const url = process.env[TEST_DATABASE_URL_ENV];
  if (url === undefined)
    throw new Error(`${TEST_DATABASE_URL_ENV} is not set: is the global setup wired?`);
  return url;
}

async function query<Row extends Record<string, unknown>>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<Row[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Row>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

async function databaseExists(name: string): Promise<boolean> {
  const rows = await query(serverUrl(), 'SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  return rows.length === 1;
}

describe('createTestDatabase', () => {
  const created: TestDatabase[] = [];

  afterEach(async () => {
    await Promise.all(created.splice(0).map((database) => database.drop()));
  });

  it('creates a fresh database that its URL connects to', async () => {
    // Prepare
    const database = await createTestDatabase('spec');
    created.push(database);

    // Act
    const rows = await query<{ current_database: string }>(
      database.url,
      'SELECT current_database()',
    );

    // Assess
    expect(database.name).toMatch(/^tf_spec_[0-9a-f]{12}$/);
    expect(rows).toEqual([{ current_database: database.name }]);
  });

  it('drops the database, even with a session still connected to it', async () => {
    // Prepare
    const database = await createTestDatabase('spec');
    created.push(database);
    const idle = new Client({ connectionString: database.url });
    // The forced drop terminates this session; the resulting error is expected.
    idle.on('error', () => undefined);
    await idle.connect();

    // Act
    await database.drop();

    // Assess
    expect(await databaseExists(database.name)).toBe(false);
    await idle.end().catch(() => undefined);
  });

  it('gives each call its own database', async () => {
    // Prepare
    const first = await createTestDatabase('spec');
    created.push(first);

    // Act
    const second = await createTestDatabase('spec');
    created.push(second);

    // Assess
    expect(second.name).not.toBe(first.name);
    expect(await databaseExists(first.name)).toBe(true);
    expect(await databaseExists(second.name)).toBe(true);
  });

  it('turns any prefix into a valid database name', async () => {
    // Prepare
    const prefix = 'Tasks API / "quoted" ' + 'x'.repeat(80);

    // Act
    const database = await createTestDatabase(prefix);
    created.push(database);

    // Assess
    expect(database.name).toMatch(/^tf_tasks_api____quoted__x+_[0-9a-f]{12}$/);
    expect(database.name.length).toBeLessThanOrEqual(63);
    expect(await databaseExists(database.name)).toBe(true);
  });

  it('fails clearly when the global setup has not provided a server', async () => {
    // Prepare
    const saved = process.env[TEST_DATABASE_URL_ENV];
    Reflect.deleteProperty(process.env, TEST_DATABASE_URL_ENV);

    // Act
    const attempt = createTestDatabase('spec');

    // Assess
    try {
      await expect(attempt).rejects.toThrow(TEST_DATABASE_URL_ENV);
    } finally {
      if (saved !== undefined) process.env[TEST_DATABASE_URL_ENV] = saved;
    }
  });
});
