// @ts-check
/**
 * Jest global teardown: stops the PostgreSQL server that `jest.global-setup.mjs` provided (the
 * container, or the embedded server and its temp directory; nothing for `DATABASE_URL`).
 */

/** Must match `SERVER_HANDLE` in jest.global-setup.mjs; a registered symbol needs no import. */
const SERVER_HANDLE = Symbol.for('taskflow.testing.postgresServer');

/** Jest `globalTeardown` entry point. */
export default async function globalTeardown() {
  /** @type {{ refs: number, stop: () => Promise<void> } | undefined} */
  const handle = Reflect.get(globalThis, SERVER_HANDLE);
  if (handle === undefined) return;
  // Every project of the run that shared the server must be done before it stops.
  handle.refs -= 1;
  if (handle.refs > 0) return;
  Reflect.deleteProperty(globalThis, SERVER_HANDLE);
  delete process.env.TASKFLOW_TEST_DATABASE_URL;
  await handle.stop();
}
