/**
 * Makes a value in a `beforeAll` of the calling suite (and `unmake`s it in an `afterAll`, if it
 * was made) and returns its stand-in: reading any of its properties, in a test or in a
 * `beforeAll` registered later, reads the made value's. Read before then, it throws, naming `what`.
 */
export function madeBeforeAll<T extends object>(
  what: string,
  make: () => Promise<T>,
  unmake?: (made: T) => Promise<void>,
): T {
  let made: T | null = null;
  beforeAll(async () => {
    made = await make();
  });
  if (unmake !== undefined) {
    afterAll(async () => {
      if (made !== null) await unmake(made);
    });
  }
  const standIn: object = {};
  return new Proxy(standIn, {
    get: (_standIn, property) => {
      if (made === null) throw new Error(`${what} is not made yet (it is, from the suite's tests)`);
      return Reflect.get(made, property) as unknown;
    },
  }) as T;
}
