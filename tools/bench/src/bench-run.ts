import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { openPersistence, type Persistence } from '@taskflow/app-composition';
import { TokenIssuer } from '@taskflow/platform-http';
import { uuidV7Generator } from '@taskflow/platform-kernel';
import { BenchDatabase } from './bench-database';
import type { HostBenchConfig } from './bench-env';
import { type Cleanup, machineShareBusy, say, sourceLine } from './run-support';
import { type Actors, seedActors } from './seed';
import { ServerProcess } from './server-process';
import { migrate } from '@taskflow/app-composition/migrate';

/** The repository's root, where the host's sources and bundle are. */
export const REPO_ROOT = resolve(__dirname, '../../..');
const JWT_ISSUER = 'taskflow-bench';
const JWT_AUDIENCE = 'taskflow';

/** The commit, machine and software a run's figures were measured on. */
export function machineLines(database: BenchDatabase): string[] {
  const model = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const ramGiB = (totalmem() / 2 ** 30).toFixed(1);
  return [
    sourceLine(REPO_ROOT),
    `machine: ${availableParallelism()} × ${model}, ${ramGiB} GiB RAM, load average ${loadavg()[0]?.toFixed(2) ?? '?'}`,
    `software: Node ${process.version}, PostgreSQL ${database.serverVersion} (${database.kind === 'external' ? 'DATABASE_URL' : 'embedded, temp dir'})`,
  ];
}

/**
 * Opens the run's fresh database (dropped by `cleanup`) and prints `setUp`'s lines for it, after
 * measuring, beforehand, how busy the machine already is.
 */
export async function openRunDatabase(
  cleanup: Cleanup,
  adminUrl: string | null,
  setUp: (database: BenchDatabase) => string,
  options: { readonly trackCommitTimestamps?: boolean } = {},
): Promise<BenchDatabase> {
  const othersBefore = await machineShareBusy(1_000);
  const database = await BenchDatabase.create(adminUrl, options);
  cleanup.add('database', () => database.dispose());
  say(setUp(database));
  say(
    `machine busy before the run: ${othersBefore.toFixed(0)}% of all cores` +
      (othersBefore > 20 ? ' (WARNING: other work is running; expect noisy figures)' : ''),
  );
  return database;
}

/** The benchmark's own persistence, migrated, with the seeded actors and the host's JWT secret. */
export interface BenchPersistence {
  readonly persistence: Persistence;
  readonly actors: Actors;
  readonly jwtSecret: string;
}

/**
 * Opens the benchmark's own pool on the run's database (closed by `cleanup`), without statement
 * timeouts (bulk seeding runs longer than any request), migrates it and seeds the actors.
 */
export async function openBenchPersistence(
  cleanup: Cleanup,
  database: BenchDatabase,
  pool: { readonly label: string; readonly applicationName: string; readonly size: number },
): Promise<BenchPersistence> {
  const persistence = await openPersistence(
    {
      url: database.url,
      poolSize: pool.size,
      statementTimeoutMs: 0,
      connectTimeoutMs: 10_000,
      queryTimeoutMs: 0,
      ssl: 'disable',
      applicationName: pool.applicationName,
      dialect: 'postgres',
    },
    uuidV7Generator,
  );
  cleanup.add(pool.label, () => persistence.close());
  await migrate(persistence);
  const jwtSecret = randomBytes(32).toString('base64url');
  const actors = await seedActors(
    persistence,
    new TokenIssuer(jwtSecret, JWT_ISSUER, JWT_AUDIENCE),
  );
  return { persistence, actors, jwtSecret };
}

/** Starts the host on the run's database with a temp data folder (both undone by `cleanup`). */
export async function startBenchHost(
  cleanup: Cleanup,
  database: BenchDatabase,
  config: HostBenchConfig,
  jwtSecret: string,
  settings: Readonly<Record<string, string>> = {},
): Promise<ServerProcess> {
  const dataDir = await mkdtemp(join(tmpdir(), 'taskflow-bench-host-'));
  cleanup.add('host data dir', () => rm(dataDir, { recursive: true, force: true }));
  const host = await ServerProcess.startHost({
    repoRoot: REPO_ROOT,
    databaseUrl: database.url,
    poolSize: config.poolSize,
    jwtSecret,
    jwtIssuer: JWT_ISSUER,
    jwtAudience: JWT_AUDIENCE,
    dataDir,
    cpuProfileDir: config.cpuProfileDir,
    mode: config.hostMode,
    settings,
  });
  cleanup.add('host', () => host.stop());
  say(`host: ${host.url}, ${host.describeProcessTree()}`);
  return host;
}
