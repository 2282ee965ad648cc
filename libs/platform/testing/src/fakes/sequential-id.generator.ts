import type { IdGenerator } from '@taskflow/platform-kernel';

/** Options of a {@link SequentialIdGenerator}. */
export interface SequentialIdOptions {
  /** The instant encoded in the first id's timestamp field; each further id is 1 ms later. */
  readonly start?: Date | string;
  /**
   * Distinguishes generators (0–4095), so that two generators in one test never issue the
   * same id. Encoded in the variant group.
   */
  readonly node?: number;
}

const MAX_TIMESTAMP = 2 ** 48 - 1;
const MAX_NODE = 0xfff;

/**
 * A deterministic {@link IdGenerator} of UUIDv7-shaped identifiers: version 7, RFC 9562 variant,
 * the 48-bit timestamp field counting up one millisecond per id from `start`. Ids therefore sort
 * (as strings and as Postgres `uuid`s) in creation order, as real UUIDv7s do, which the keyset
 * pagination of every list relies on.
 *
 * The n-th id (from 1) of a default generator is `0194…-7000-8000-00000000000n`-like; tests
 * should not parse ids, only compare them.
 */
export class SequentialIdGenerator implements IdGenerator {
  private readonly startMillis: number;
  private readonly node: number;
  private count = 0;

  constructor(options: SequentialIdOptions = {}) {
    const start = options.start ?? '2025-01-01T00:00:00.000Z';
    this.startMillis = typeof start === 'string' ? Date.parse(start) : start.getTime();
    if (!Number.isInteger(this.startMillis) || this.startMillis < 0) {
      throw new RangeError(
        `SequentialIdGenerator needs a valid start instant, got ${String(start)}`,
      );
    }
    this.node = options.node ?? 0;
    if (!Number.isInteger(this.node) || this.node < 0 || this.node > MAX_NODE) {
      throw new RangeError(
        `SequentialIdGenerator node must be an integer in 0..${MAX_NODE}, got ${this.node}`,
      );
    }
  }

  /** How many ids this generator has issued. */
  get issued(): number {
    return this.count;
  }

  next(): string {
    const timestamp = this.startMillis + this.count;
    if (timestamp > MAX_TIMESTAMP)
      throw new RangeError('SequentialIdGenerator ran out of timestamps');
    this.count += 1;
    const time = timestamp.toString(16).padStart(12, '0');
    const node = this.node.toString(16).padStart(3, '0');
    const serial = this.count.toString(16).padStart(12, '0');
    return `${time.slice(0, 8)}-${time.slice(8, 12)}-7000-8${node}-${serial}`;
  }
}
