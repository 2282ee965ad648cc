// pg's value serialisation, which its typings leave out: the pgbench script binds literals the
// way pg binds parameters.
declare module 'pg/lib/utils' {
  /** A JavaScript value as pg sends it (Date, array, Buffer, JSON...), or null. */
  export function prepareValue(value: unknown): string | Buffer | null;
}
