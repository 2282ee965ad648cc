import { spawnSync } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { EmbeddedPostgresServer } from './embedded-postgres.server';

async function query<Row extends Record<string, unknown>>(
  url: string,
  sql: string,
): Promise<Row[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Row>(sql)).rows;
  } finally {
    await client.end();
  }
}

function findFreePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

describe('EmbeddedPostgresServer', () => {
  let workDir: string;
  const servers: EmbeddedPostgresServer[] = [];

  beforeEach(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'taskflow-embedded-spec-'));
    // mkdtemp creates 0700; as root, PostgreSQL runs as `postgres` and must traverse it.
    await chmod(workDir, 0o755);
  });

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.stop()));
    await rm(workDir, { recursive: true, force: true });
  });

  it('keeps its data across a stop and a start on the same dataDir', async () => {
    // Prepare
    const dataDir = join(workDir, 'nested', 'pgdata');
    const first = await EmbeddedPostgresServer.start({ dataDir });
    servers.push(first);
    await query(first.url, 'CREATE TABLE note (id int PRIMARY KEY, body text NOT NULL)');
    await query(first.url, "INSERT INTO note VALUES (1, 'survives a restart')");
    await first.stop();

    // Act
    const second = await EmbeddedPostgresServer.start({ dataDir });
    servers.push(second);
    const rows = await query<{ body: string }>(second.url, 'SELECT body FROM note WHERE id = 1');

    // Assess
    expect(rows).toEqual([{ body: 'survives a restart' }]);
    expect(second.url).toBe(`postgres://postgres:postgres@127.0.0.1:${second.port}/postgres`);
  });

  it('attaches to a server another process runs on the dataDir, and leaves it running on stop', async () => {
    // Prepare
    const dataDir = join(workDir, 'shared');
    const owner = await EmbeddedPostgresServer.start({ dataDir });
    servers.push(owner);

    // Act
    const attached = await EmbeddedPostgresServer.start({ dataDir, attachIfRunning: true });
    await attached.stop();

    // Assess
    expect(attached.owned).toBe(false);
    expect(attached.port).toBe(owner.port);
    expect(await query<{ ok: number }>(owner.url, 'SELECT 1 AS ok')).toEqual([{ ok: 1 }]);
  });

  it('without attachIfRunning, refuses a dataDir a live server holds', async () => {
    // Prepare
    const dataDir = join(workDir, 'busy');
    servers.push(await EmbeddedPostgresServer.start({ dataDir }));

    // Act / Assess
    await expect(EmbeddedPostgresServer.start({ dataDir })).rejects.toThrow(/still running/);
  });

  it('accepts stop() more than once', async () => {
    // Prepare
    const server = await EmbeddedPostgresServer.start({ dataDir: join(workDir, 'pgdata') });
    servers.push(server);

    // Act
    await server.stop();
    const secondStop = server.stop();

    // Assess
    await expect(secondStop).resolves.toBeUndefined();
    await expect(query(server.url, 'SELECT 1')).rejects.toThrow();
  });

  it('starts over a postmaster.pid left by a crashed run', async () => {
    // Prepare
    const dataDir = join(workDir, 'pgdata');
    await (await EmbeddedPostgresServer.start({ dataDir })).stop();
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid;
    await writeFile(join(dataDir, 'postmaster.pid'), `${deadPid}\n${dataDir}\n`);
    const lines: string[] = [];

    // Act
    const server = await EmbeddedPostgresServer.start({ dataDir, log: (line) => lines.push(line) });
    servers.push(server);

    // Assess
    expect(lines.some((line) => line.includes('removing stale'))).toBe(true);
    expect(await query<{ ok: number }>(server.url, 'SELECT 1 AS ok')).toEqual([{ ok: 1 }]);
  });

  it('listens on the port it is given', async () => {
    // Prepare
    const port = await findFreePort();

    // Act
    const server = await EmbeddedPostgresServer.start({ dataDir: join(workDir, 'pgdata'), port });
    servers.push(server);

    // Assess
    expect(server.port).toBe(port);
    expect(
      await query<{ port: string }>(server.url, "SELECT current_setting('port') AS port"),
    ).toEqual([{ port: String(port) }]);
  });
});
