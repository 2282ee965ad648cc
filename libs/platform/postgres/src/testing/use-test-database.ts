import { type TestDatabase, createTestDatabase } from '@taskflow/platform-testing';
import type { Closable } from './open-test-database';

/** A stand-in for the value `current()` returns, read afresh on every property access. */
function standIn<T extends object>(current: () => T): T {
  return new Proxy(Object.create(null) as T, {
    get: (_target, key) => {
      const value: unknown = Reflect.get(current(), key);
      return typeof value === 'function' ? (value as () => unknown).bind(current()) : value;
    },
  });
}

/**
 * Gives the enclosing `describe` a fresh test database: `beforeAll` creates it (named after
 * `prefix`) and opens it with `open`, `afterAll` closes what was opened and drops the database.
 *
 * @returns a stand-in for what `open` resolves to, usable in hooks and tests once `beforeAll` ran
 *   (declare other `afterAll` hooks that still need the database before calling this).
 */
export function useTestDatabase<T extends Closable>(
  prefix: string,
  open: (url: string) => Promise<T>,
): T {
  let database: TestDatabase | undefined;
  let opened: T | undefined;
  beforeAll(async () => {
    database = await createTestDatabase(prefix);
    opened = await open(database.url);
  });
  afterAll(async () => {
    try {
      await opened?.close();
    } finally {
      await database?.drop();
    }
  });
  return standIn(() => {
    if (opened === undefined) throw new Error(`test database ${prefix} is not open yet`);
    return opened;
  });
}

/**
 * {@link useTestDatabase}, with what `over` builds over the opened value (e.g. the use cases over
 * the repositories) as `app`, built on first use.
 */
export function useTestDatabaseWith<T extends Closable, A extends object>(
  prefix: string,
  open: (url: string) => Promise<T>,
  over: (store: T) => A,
): { store: T; app: A } {
  const store = useTestDatabase(prefix, open);
  let app: A | undefined;
  return { store, app: standIn(() => (app ??= over(store))) };
}
