import type { Clock } from '@taskflow/platform-kernel';

/** The instant a {@link FixedClock} starts at unless told otherwise. */
export const DEFAULT_FIXED_TIME = '2025-01-01T00:00:00.000Z';

/**
 * A {@link Clock} that stands still until a test moves it. Every `now()` returns a fresh `Date`,
 * so a caller mutating the answer cannot move the clock.
 *
 * @example
 * const clock = new FixedClock('2025-03-01T09:00:00Z');
 * clock.advance(60_000); // one minute later
 */
export class FixedClock implements Clock {
  private millis: number;

  constructor(start: Date | string = DEFAULT_FIXED_TIME) {
    this.millis = FixedClock.toMillis(start);
  }

  now(): Date {
    return new Date(this.millis);
  }

  /** Moves the clock forward by `ms` milliseconds (a programmer error when negative or not finite). */
  advance(ms: number): this {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new RangeError(
        `FixedClock.advance expects a finite, non-negative number of ms, got ${ms}`,
      );
    }
    this.millis += ms;
    return this;
  }

  /** Sets the clock to an instant. */
  set(at: Date | string): this {
    this.millis = FixedClock.toMillis(at);
    return this;
  }

  private static toMillis(at: Date | string): number {
    const millis = typeof at === 'string' ? Date.parse(at) : at.getTime();
    if (Number.isNaN(millis))
      throw new RangeError(`FixedClock got an invalid instant: ${String(at)}`);
    return millis;
  }
}
