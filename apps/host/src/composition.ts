import { resolve } from 'node:path';
import {
  buildOpenApi,
  buildRoutes,
  HttpApi,
  StreamGate,
  StreamTickets,
  TokenIssuer,
  TokenVerifier,
  UserIdentityResolver,
} from '@taskflow/http-api';
import { ProjectEventHub } from '@taskflow/live-updates';
import {
  EmbeddedPostgresServer,
  openPersistence,
  PgChangeNotifications,
  type Persistence,
  TypeormProjectStreamReader,
} from '@taskflow/persistence-postgres';
import { ProjectUseCases } from '@taskflow/projects-application';
import { systemClock, uuidV7Generator } from '@taskflow/shared-kernel';
import { TaskUseCases } from '@taskflow/tasks-application';
import { UserUseCases } from '@taskflow/users-application';
import pino, { type Logger } from 'pino';
import type { HostConfig } from './config';
import { signingSecret } from './secret';

/** The version reported by /health and the OpenAPI document. */
export const TASKFLOW_VERSION = '0.1.0';

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
   * the HTTP server, so one-shot commands open no LISTEN connection.
   */
  readonly live: { readonly gate: StreamGate; readonly hub: ProjectEventHub } | null;
  /** Ends streams, closes the pool, then stops the embedded database if this process started it. */
  close(): Promise<void>;
}

/** The composition root: database (embedded unless DATABASE_URL), migrations, use cases, API. */
export async function composeHost(
  config: HostConfig,
  options: { migrate: boolean; attachToRunningDatabase?: boolean } = { migrate: true },
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
        ssl: config.ssl,
        applicationName: 'taskflow-host',
        dialect: config.dialect,
      },
      uuidV7Generator,
    );
    if (options.migrate) {
      const report = await persistence.migrate();
      if (report.applied.length > 0) logger.info({ applied: report.applied }, 'migrations applied');
    }
    const users = new UserUseCases(persistence.users, systemClock, uuidV7Generator);
    const projects = new ProjectUseCases(
      persistence.projects,
      persistence.users,
      systemClock,
      uuidV7Generator,
    );
    const tasks = new TaskUseCases(
      persistence.tasks,
      persistence.comments,
      persistence.projects,
      systemClock,
      uuidV7Generator,
    );
    const secret = await signingSecret(config.jwtSecret, dataDir);
    const verifier = new TokenVerifier({
      hs256Secret: secret,
      issuer: config.jwtIssuer,
      audience: config.jwtAudience,
      jwks: config.jwks,
    });
    const identities = new UserIdentityResolver(users);
    const tickets = new StreamTickets(secret, config.jwtIssuer);
    let openApi: unknown = null;
    const routes = buildRoutes({
      tickets,
      users,
      projects,
      tasks,
      databaseUp: () => persistence.db.ping(),
      version: TASKFLOW_VERSION,
      region: config.region,
      openApi: () => openApi,
    });
    openApi = buildOpenApi(routes, { version: TASKFLOW_VERSION });
    const api = new HttpApi({
      routes,
      authenticator: verifier,
      identities,
      idempotency: persistence.idempotency,
      transactions: persistence.db,
      logger,
    });
    const notifications =
      config.dialect === 'postgres'
        ? new PgChangeNotifications(
            () => persistence.db.newClient(),
            (error) => logger.warn({ err: error }, 'LISTEN connection lost; reconnecting'),
          )
        : null;
    const live =
      notifications === null
        ? null
        : {
            gate: new StreamGate({ authenticator: verifier, identities, tickets, projects }),
            hub: new ProjectEventHub(
              new TypeormProjectStreamReader(persistence.db),
              notifications,
              {
                isMember: async (projectId, userId) =>
                  (await persistence.projects.accessFor(projectId, [userId]))?.isMember(userId) ??
                  false,
              },
              {},
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
      api,
      users,
      projects,
      tasks,
      tokens: new TokenIssuer(secret, config.jwtIssuer, config.jwtAudience),
      live,
      close: async () => {
        live?.hub.stop();
        await notifications?.close();
        await persistence.close();
        await embedded?.stop();
      },
    };
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
}
