import { resolve } from 'node:path';
import {
  TASKFLOW_VERSION,
  composeCore,
  openPersistence,
  type Persistence,
} from '@taskflow/app-composition';
import type { HttpApi, StreamGate, TokenIssuer } from '@taskflow/platform-http';
import { ProjectEventHub, type ProjectEventHubOptions } from '@taskflow/platform-live-updates';
import {
  Database,
  EmbeddedPostgresServer,
  PgChangeNotifications,
  PgProjectStreamReader,
} from '@taskflow/platform-postgres';
import type { ProjectUseCases } from '@taskflow/projects-application';
import { uuidV7Generator } from '@taskflow/platform-kernel';
import type { TaskUseCases } from '@taskflow/tasks-application';
import type { UserUseCases } from '@taskflow/users-application';
import pino, { type Logger } from 'pino';
import type { HostConfig } from './config';
import { signingSecret } from './secret';
import { migrate } from '@taskflow/app-composition/migrate';

export { TASKFLOW_VERSION };

/** Everything the host runs, wired once. */
export interface Host {
  readonly config: HostConfig;
  readonly logger: Logger;
  readonly persistence: Persistence;
  readonly api: HttpApi;
  readonly users: UserUseCases;
  readonly projects: ProjectUseCases;
  readonly tasks: TaskUseCases;
  readonly tokens: TokenIssuer;
  /**
   * Live project event streams (PostgreSQL only: LISTEN/NOTIFY and transaction ids). Started by
   * the HTTP server; a one-shot command opens the LISTEN connection only if it writes events, to
   * wake the running host's streams.
   */
  readonly live: { readonly gate: StreamGate; readonly hub: ProjectEventHub } | null;
  /** Ends streams, closes the pool, then stops the embedded database if this process started it. */
  close(): Promise<void>;
}

/**
 * Connections reserved for reading project streams. The hub reads one project at a time per
 * project followed, so a few suffice.
 */
export const STREAM_READ_POOL_SIZE = 4;

/** Lifetime of the tokens `POST /dev/sign-in` issues: a working day, as the demo token's. */
export const DEV_SIGN_IN_TTL_SECONDS = 12 * 60 * 60;

/** The composition root: database (embedded unless DATABASE_URL), migrations, use cases, API. */
export async function composeHost(
  config: HostConfig,
  options: {
    migrate: boolean;
    attachToRunningDatabase?: boolean;
    /** The live streams' hub settings (tests lengthen the safety poll to see wake-ups alone). */
    liveUpdates?: Partial<ProjectEventHubOptions>;
  } = { migrate: true },
): Promise<Host> {
  const logger = pino({ level: config.logLevel, base: { service: 'taskflow-host' } });
  const dataDir = resolve(config.dataDir);
  let embedded: EmbeddedPostgresServer | null = null;
  let url = config.databaseUrl;
  if (url === null) {
    embedded = await EmbeddedPostgresServer.start({
      dataDir: resolve(dataDir, 'postgres'),
      ...(config.embeddedPostgresPort > 0 ? { port: config.embeddedPostgresPort } : {}),
      log: (line) => logger.debug({ postgres: line }, 'embedded postgres'),
      attachIfRunning: options.attachToRunningDatabase ?? false,
    });
    url = embedded.url;
    logger.info(
      { dataDir, owned: embedded.owned },
      embedded.owned ? 'embedded PostgreSQL started' : 'using the running embedded PostgreSQL',
    );
  }
  try {
    const persistence = await openPersistence(
      {
        url,
        poolSize: config.poolSize,
        statementTimeoutMs: config.statementTimeoutMs,
        connectTimeoutMs: config.connectTimeoutMs,
        queryTimeoutMs: config.queryTimeoutMs,
        ssl: config.ssl,
        applicationName: 'taskflow-host',
        dialect: config.dialect,
      },
      uuidV7Generator,
    );
    if (options.migrate) {
      const report = await migrate(persistence);
      if (report.applied.length > 0) logger.info({ applied: report.applied }, 'migrations applied');
    }
    const secret = await signingSecret(config.jwtSecret, dataDir);
    const core = composeCore(
      persistence,
      {
        signingSecret: secret,
        jwtIssuer: config.jwtIssuer,
        jwtAudience: config.jwtAudience,
        jwks: config.jwks,
        corsOrigins: config.corsOrigins,
        region: config.region,
        devSignIn: config.devSignIn ? { ttlSeconds: DEV_SIGN_IN_TTL_SECONDS } : null,
      },
      logger,
    );
    const notifications =
      config.dialect === 'postgres'
        ? new PgChangeNotifications(
            () => persistence.db.newClient(),
            (error) => logger.warn({ err: error }, 'LISTEN connection lost; reconnecting'),
          )
        : null;
    // Write statements notify nobody (a NOTIFY in a write transaction serialises every writer at
    // commit): each commit wakes this process's streams at once, and other processes' (another
    // host, or this one while a command such as `seed` writes) with at most one NOTIFY per few
    // milliseconds.
    const stopWaking =
      notifications === null
        ? null
        : persistence.db.onCommitted((events) =>
            notifications.wake(events.flatMap((e) => (e.projectId === null ? [] : [e.projectId]))),
          );
    // Stream reads have connections of their own: on the shared pool, every live event would
    // queue behind the writes waiting for a connection, and reach subscribers only after that
    // backlog (the write that produced it waited once already). Opened by the first read, so
    // one-shot commands (migrate, token, dlq...) open none; a failed open is retried by the next.
    let streamDb: Promise<Database> | null = null;
    let closed = false;
    const streamReads = (): Promise<Database> => {
      // After close(), a late read must not open a pool that nothing would close.
      if (closed) return Promise.reject(new Error('the host is closed'));
      streamDb ??= Database.connect({
        ...persistence.db.config,
        poolSize: STREAM_READ_POOL_SIZE,
        applicationName: `${persistence.db.config.applicationName}-streams`,
      }).catch((error: unknown) => {
        streamDb = null;
        throw error;
      });
      return streamDb;
    };
    const live =
      notifications === null
        ? null
        : {
            gate: core.gate,
            hub: new ProjectEventHub(
              new PgProjectStreamReader({
                query: async (statement) => (await streamReads()).query(statement),
              }),
              notifications,
              {
                isMember: async (projectId, userId) =>
                  (await persistence.projects.accessFor(projectId, [userId]))?.isMember(userId) ??
                  false,
              },
              options.liveUpdates ?? {},
              (error) => logger.warn({ err: error }, 'stream read failed; the next poll retries'),
              (projectId) =>
                logger.warn(
                  { projectId },
                  'a writing transaction held this stream back over 2 s; delivering past it',
                ),
            ),
          };
    return {
      config,
      logger,
      persistence,
      api: core.api,
      users: core.users,
      projects: core.projects,
      tasks: core.tasks,
      tokens: core.tokens,
      live,
      close: async () => {
        live?.hub.stop();
        stopWaking?.();
        await notifications?.close();
        closed = true;
        await (await streamDb?.catch(() => null))?.close();
        await persistence.close();
        await embedded?.stop();
      },
    };
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
}
