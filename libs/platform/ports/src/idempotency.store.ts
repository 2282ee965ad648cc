/** A response remembered under an idempotency key. */
export interface StoredResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

/** A remembered request: who sent which key with which body, and what was answered. */
export interface IdempotencyRecord {
  readonly actorId: string;
  readonly key: string;
  /** Digest of method, path and body: the same key with another request is refused. */
  readonly requestHash: string;
  readonly response: StoredResponse;
  readonly createdAt: string;
}

/** Port to the idempotency-key store. Records expire after their retention (24 h). */
export interface IdempotencyStore {
  /** The live record for this actor and key, or null. */
  find(actorId: string, key: string, notBefore: Date): Promise<IdempotencyRecord | null>;
  /**
   * Stores a record in the current transaction. Returns false, storing nothing, when a live
   * record already holds the key (a concurrent first request won the race).
   */
  put(record: IdempotencyRecord, notBefore: Date): Promise<boolean>;
}
