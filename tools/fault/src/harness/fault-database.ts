import {
  type Core,
  type Persistence,
  composeCore,
  openPersistence,
} from '@taskflow/app-composition';
import { uuidV7Generator } from '@taskflow/platform-kernel';
import { type TestDatabase, createTestDatabase } from '@taskflow/platform-testing';
import { migrate } from '@taskflow/app-composition/migrate';

/** The HS256 secret the tests sign tokens with; hosts under test are started with it. */
export const FAULT_JWT_SECRET = 'fault-secret-fault-secret-fault-secret-0123456789';
/** The host's default issuer and audience (`JWT_ISSUER`, `JWT_AUDIENCE` unset). */
const JWT_ISSUER = 'taskflow';
const JWT_AUDIENCE = 'taskflow';

const SILENT = { error: () => undefined, warn: () => undefined };

/**
 * A fresh, migrated database for one fault test, with the use cases over it in the test process
 * (to set up users and projects and to read what the system under test did).
 */
export interface FaultDatabase {
  readonly url: string;
  readonly persistence: Persistence;
  readonly core: Core;
  /** A bearer token for this e-mail, registering the user if needed, and the user's id. */
  login(email: string): Promise<{ token: string; userId: string }>;
  /** The first column of the first row of a `SELECT count(*) AS n ...`. */
  count(text: string, values?: readonly unknown[]): Promise<number>;
  /** Rows of a query. */
  rows<R>(text: string, values?: readonly unknown[]): Promise<R[]>;
  /** Closes the pool and drops the database. */
  close(): Promise<void>;
}

/** A pool on a database and the use cases over it, as one process of the system wires them. */
export interface Connected {
  readonly persistence: Persistence;
  readonly core: Core;
}

/**
 * Opens a pool on `url` and wires the shared core over it (`composeCore`, as the host and the
 * Lambdas do), signing tokens with {@link FAULT_JWT_SECRET}.
 */
export async function connect(url: string, poolSize: number): Promise<Connected> {
  const persistence = await openPersistence(
    {
      url,
      poolSize,
      statementTimeoutMs: 30_000,
      connectTimeoutMs: 10_000,
      queryTimeoutMs: 0,
      ssl: 'disable',
      applicationName: 'taskflow-fault-test',
      dialect: 'postgres',
    },
    uuidV7Generator,
  );
  const core = composeCore(
    persistence,
    {
      signingSecret: FAULT_JWT_SECRET,
      jwtIssuer: JWT_ISSUER,
      jwtAudience: JWT_AUDIENCE,
      jwks: null,
      region: 'local',
    },
    SILENT,
  );
  return { persistence, core };
}

/** Creates and migrates a database on the test server (see `createTestDatabase`). */
export async function openFaultDatabase(prefix: string, poolSize = 4): Promise<FaultDatabase> {
  const database: TestDatabase = await createTestDatabase(prefix);
  let connected: Connected;
  try {
    connected = await connect(database.url, poolSize);
  } catch (error) {
    await database.drop();
    throw error;
  }
  const { persistence, core } = connected;
  await migrate(persistence);
  const rows = async <R>(text: string, values: readonly unknown[] = []): Promise<R[]> =>
    (await persistence.db.query<R>({ text, values: [...values] })).rows;
  return {
    url: database.url,
    persistence,
    core,
    rows,
    count: async (text, values = []) => Number((await rows<{ n: unknown }>(text, values))[0]?.n),
    login: async (email) => {
      const user = await core.users.ensureByEmail(
        { email, name: email.split('@')[0] ?? email },
        'fault',
      );
      return { token: await core.tokens.issue(user, 3600), userId: user.id };
    },
    close: async () => {
      await persistence.close();
      await database.drop();
    },
  };
}
