import { envelopeSchemaOf, type EventEnvelope } from '@taskflow/platform-events';
import { type IdGenerator, uuidV7Generator } from '@taskflow/platform-kernel';
import type { DatabaseConfig } from '@taskflow/platform-postgres';
import {
  type OutboxRow,
  migratedOrClosed,
  testDatabaseConfig,
  token,
  useTestDatabaseWith,
} from '@taskflow/platform-postgres/testing';
import { type UseCases, useCasesOver } from '@taskflow/tasks-adapters/testing';
import { TASKFLOW_EVENTS } from '../events';
import { User } from '@taskflow/users-domain';
import { type Core, composeCore } from '../core';
import { type Persistence, openPersistence } from '../persistence';
import { migrate } from '../migrate';

/**
 * Shared set-up of the composition's integration specs (not exported from the library): the
 * whole persistence migrated on a test database, with the tasks fixture's use cases over it.
 */

/** Opens the persistence on `url` and applies every migration step. */
export async function openMigrated(
  url: string,
  overrides: Partial<DatabaseConfig> = {},
  ids: IdGenerator = uuidV7Generator,
): Promise<Persistence> {
  const persistence = await openPersistence(testDatabaseConfig(url, overrides), ids);
  return migratedOrClosed(persistence, () => migrate(persistence));
}

/** A migrated persistence for the enclosing `describe`, with the use cases over it. */
export function usePersistence(prefix: string): { store: Persistence; app: UseCases } {
  return useTestDatabaseWith(
    prefix,
    (url) => openMigrated(url),
    (store) => useCasesOver(store),
  );
}

/**
 * Parses an outbox row's payload with the envelope schema of its own type: throws when the
 * payload is not a valid envelope of a type Taskflow emits.
 */
export function envelopeOf(row: OutboxRow): EventEnvelope {
  const definition = TASKFLOW_EVENTS.definitionOf(row.type);
  if (definition === undefined)
    throw new Error(`outbox row ${row.id} has unknown type ${row.type}`);
  return envelopeSchemaOf(definition).parse(JSON.parse(row.payload));
}

/** A new user, not stored yet, who signed up on their own, by default with an e-mail of their own. */
export function newUser(
  name: string,
  options: { readonly email?: string; readonly now?: Date } = {},
): User {
  return User.create({
    id: uuidV7Generator.next(),
    name,
    email: options.email ?? `${name.toLowerCase().replaceAll(' ', '.')}.${token()}@example.com`,
    actorId: null,
    now: options.now ?? new Date(),
  });
}

/** The core over `persistence` as the specs compose it: spec token settings, a silent logger. */
export function composeSpecCore(persistence: Persistence): Core {
  return composeCore(
    persistence,
    {
      signingSecret: 's'.repeat(32),
      jwtIssuer: 'spec',
      jwtAudience: 'spec',
      jwks: null,
      region: 'eu-west-1',
    },
    { error: () => undefined, warn: () => undefined },
  );
}
