import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedPostgresServer } from '@taskflow/platform-postgres';
import { Client } from 'pg';

/**
 * The database one benchmark run owns: created fresh on the given server (or on an embedded
 * PostgreSQL started for the run), dropped (or stopped and deleted) by `dispose`.
 */
export class BenchDatabase {
  private disposed: Promise<void> | null = null;

  private constructor(
    /** Connection URL of the run's own database. */
    readonly url: string,
    /** Where it lives: the server given by DATABASE_URL, or an embedded one. */
    readonly kind: 'external' | 'embedded',
    /** `SHOW server_version` of the server. */
    readonly serverVersion: string,
    /** Whether the server records commit times (`track_commit_timestamp`). */
    readonly commitTimestamps: boolean,
    private readonly adminUrl: string,
    /** The run's database name. */
    readonly databaseName: string,
    private readonly embedded: { server: EmbeddedPostgresServer; dir: string } | null,
  ) {}

  /**
   * Creates the run's database on `adminUrl`'s server, or on a new embedded server when null.
   * With `trackCommitTimestamps`, an embedded server is restarted with `track_commit_timestamp`
   * on (a server given by URL is taken as it is: `commitTimestamps` tells).
   */
  static async create(
    adminUrl: string | null,
    options: { readonly trackCommitTimestamps?: boolean } = {},
  ): Promise<BenchDatabase> {
    let embedded: { server: EmbeddedPostgresServer; dir: string } | null = null;
    if (adminUrl === null) {
      const dir = await mkdtemp(join(tmpdir(), 'taskflow-bench-'));
      // PostgreSQL runs as `postgres` when we are root, and must traverse the mkdtemp folder.
      await chmod(dir, 0o755);
      try {
        const dataDir = join(dir, 'pg');
        let server = await EmbeddedPostgresServer.start({ dataDir });
        if (options.trackCommitTimestamps === true) {
          // A setting read at start only: set it, then start the server again.
          try {
            await withClient(server.url, async (client) => {
              await client.query('ALTER SYSTEM SET track_commit_timestamp = on');
            });
          } finally {
            await server.stop();
          }
          server = await EmbeddedPostgresServer.start({ dataDir });
        }
        embedded = { server, dir };
      } catch (error) {
        await rm(dir, { recursive: true, force: true });
        throw error;
      }
    }
    const admin = adminUrl ?? embedded?.server.url ?? '';
    const name = `taskflow_bench_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
    try {
      const { serverVersion, commitTimestamps } = await withClient(admin, async (client) => {
        await client.query(`CREATE DATABASE ${name}`);
        const version = await client.query<{ server_version: string }>('SHOW server_version');
        const tracking = await client.query<{ track_commit_timestamp: string }>(
          'SHOW track_commit_timestamp',
        );
        return {
          serverVersion: version.rows[0]?.server_version ?? '?',
          commitTimestamps: tracking.rows[0]?.track_commit_timestamp === 'on',
        };
      });
      const url = new URL(admin);
      url.pathname = `/${name}`;
      return new BenchDatabase(
        url.toString(),
        embedded ? 'embedded' : 'external',
        serverVersion,
        commitTimestamps,
        admin,
        name,
        embedded,
      );
    } catch (error) {
      if (embedded) await stopEmbedded(embedded);
      throw error;
    }
  }

  /** Drops the database (every session closed first), or stops and deletes the embedded server. */
  dispose(): Promise<void> {
    this.disposed ??= (async () => {
      if (this.embedded) {
        await stopEmbedded(this.embedded);
        return;
      }
      await withClient(this.adminUrl, async (client) => {
        await client.query(`DROP DATABASE IF EXISTS ${this.databaseName} WITH (FORCE)`);
      });
    })();
    return this.disposed;
  }
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, application_name: 'taskflow-bench-admin' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function stopEmbedded(embedded: {
  server: EmbeddedPostgresServer;
  dir: string;
}): Promise<void> {
  await embedded.server.stop();
  await rm(embedded.dir, { recursive: true, force: true });
}
