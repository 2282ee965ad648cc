import { AsyncLocalStorage } from 'node:async_hooks';
import type { TransactionRunner } from '@taskflow/platform-ports';

/**
 * A {@link TransactionRunner} for use-case tests over the in-memory fakes, which have no
 * rollback: it tells how work was split into transactions, not what a rollback would undo.
 * Nested calls join the outer transaction, as the adapter's do. For each top-level transaction
 * it records how far `measure` moved while it ran (say, the events stored), so a test can check
 * how much one transaction held; `interruptBefore(n)` makes the n-th top-level transaction fail
 * before it does anything (a crash between two transactions).
 */
export class CountingTransactionRunner implements TransactionRunner {
  private readonly ambient = new AsyncLocalStorage<true>();
  private readonly measured: number[] = [];
  private interruption: { at: number; error: Error } | null = null;

  /** @param measure - a monotonic count of what the work wrote (0 when nothing is measured). */
  constructor(private readonly measure: () => number = () => 0) {}

  /** How far `measure` moved in each top-level transaction, in order. */
  get transactions(): readonly number[] {
    return this.measured;
  }

  /** Makes the `n`-th top-level transaction from now (1: the next) throw `error` before it starts. */
  interruptBefore(n: number, error: Error = new Error('the process stopped')): void {
    this.interruption = { at: this.measured.length + n, error };
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.ambient.getStore()) return work();
    if (this.interruption?.at === this.measured.length + 1) {
      const { error } = this.interruption;
      this.interruption = null;
      throw error;
    }
    const before = this.measure();
    const index = this.measured.push(0) - 1;
    try {
      return await this.ambient.run(true, work);
    } finally {
      this.measured[index] = this.measure() - before;
    }
  }
}
