/**
 * Runs work in one database transaction. Repositories called inside `work` join it (the
 * adapter carries it implicitly), so use cases and transports can group writes atomically
 * without passing a transaction handle through the domain.
 */
export interface TransactionRunner {
  run<T>(work: () => Promise<T>): Promise<T>;
}
