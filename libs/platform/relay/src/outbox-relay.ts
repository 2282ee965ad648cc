import { type EventEnvelope, serializeEnvelope } from '@taskflow/platform-events';
import type { Clock } from '@taskflow/platform-kernel';
import type {
  ClaimedEvent,
  EventPublisher,
  OutboxAttemptFailure,
  OutboxStore,
  PublishFailure,
  PublishOutcome,
} from '@taskflow/platform-ports';

/** Tuning of an {@link OutboxRelay}. */
export interface OutboxRelayOptions {
  /** Names this relay's leases (host name + pid, Lambda request id...). */
  readonly owner: string;
  /** Events claimed per sweep round. */
  readonly claimLimit: number;
  /** How long a claim protects events from other relays. */
  readonly leaseMs: number;
  /**
   * The sweeper leaves events younger than this to the fast path of the process that wrote
   * them, so that the two do not publish the same event in the normal case.
   */
  readonly fastPathGraceMs: number;
  /** Pause between sweeps when there was nothing to do. */
  readonly idleSweepMs: number;
  /** First retry delay; doubles per failed attempt (with full jitter) up to `maxBackoffMs`. */
  readonly baseBackoffMs: number;
  readonly maxBackoffMs: number;
}

/** Defaults suited to a long-running host. */
export const DEFAULT_RELAY_OPTIONS: Omit<OutboxRelayOptions, 'owner'> = {
  claimLimit: 500,
  leaseMs: 30_000,
  fastPathGraceMs: 5_000,
  idleSweepMs: 1_000,
  baseBackoffMs: 1_000,
  maxBackoffMs: 5 * 60_000,
};

/** What the relay reports, for logs and metrics. */
export interface RelayObserver {
  published?(count: number, path: 'fast' | 'sweep'): void;
  failed?(failures: readonly PublishFailure[], path: 'fast' | 'sweep'): void;
  lag?(ms: number): void;
  error?(error: unknown, path: 'fast' | 'sweep'): void;
}

/** Counts of one sweep round. */
export interface SweepResult {
  readonly claimed: number;
  readonly published: number;
  readonly failed: number;
}

/**
 * Publishes the outbox. Fast path: right after a command commits, its own process publishes the
 * command's events and marks them sent. Sweeper: anything left (crash, throttling, failed
 * publish) is claimed under a lease and published with exponential backoff; several sweepers
 * may run at once. Delivery is at least once; consumers dedupe on the event id.
 */
export class OutboxRelay {
  private pending: ClaimedEvent[] = [];
  private flushScheduled = false;
  private readonly inFlight = new Set<Promise<unknown>>();
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private readonly options: OutboxRelayOptions;

  constructor(
    private readonly store: OutboxStore,
    private readonly publisher: EventPublisher,
    private readonly clock: Clock,
    options: Partial<OutboxRelayOptions> & { owner: string },
    private readonly observer: RelayObserver = {},
    private readonly random: () => number = Math.random,
  ) {
    this.options = { ...DEFAULT_RELAY_OPTIONS, ...options };
  }

  /**
   * Fast path: takes the events of a command that just committed. Events arriving in the same
   * tick are published together; a failure is recorded for the sweeper to retry.
   */
  enqueue(events: readonly EventEnvelope[]): void {
    // The outbox writer serialised these envelopes already: `serializeEnvelope` reuses its text.
    for (const envelope of events)
      this.pending.push({ ...serializeEnvelope(envelope), attempts: 0 });
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      const batch = this.pending;
      this.pending = [];
      this.track(this.publishBatch(batch, 'fast'));
    });
  }

  /** One sweep round: claim what is due, publish it, record the outcome. */
  async sweepOnce(): Promise<SweepResult> {
    const claimed = await this.claim();
    if (claimed.length === 0) return { claimed: 0, published: 0, failed: 0 };
    const outcome = await this.publishBatch(claimed, 'sweep');
    return { claimed: claimed.length, ...outcome };
  }

  /** Sweeps until nothing is due (see {@link sweepWhile}); returns the totals. */
  async sweepUntilIdle(): Promise<SweepResult> {
    const { claimed, published, failed } = await this.sweepWhile(() => true);
    return { claimed, published, failed };
  }

  /**
   * Sweeps until nothing is due, or until `canContinue()` says there is no time for another
   * claim (a scheduled function's remaining time). `rounds` counts the claims made;
   * `outOfTime` tells that it stopped with events possibly still due.
   *
   * The rounds overlap: the next claim is made while a claim is being published, and a claim's
   * outcome is recorded while the next one is being published, so that the database round trips
   * run alongside the publisher's calls instead of adding to them. Calls still go out one claim
   * after another. `canContinue()` is asked before each claim, so it must leave time to publish
   * two claims: the one it allows and the one being published when it is asked.
   */
  async sweepWhile(
    canContinue: () => boolean,
  ): Promise<SweepResult & { readonly rounds: number; readonly outOfTime: boolean }> {
    let total = { claimed: 0, published: 0, failed: 0 };
    let rounds = 0;
    if (!canContinue()) return { ...total, rounds, outOfTime: true };
    let next = this.claim();
    let recording: Promise<void> = Promise.resolve();
    try {
      for (;;) {
        const claimed = await next;
        rounds += 1;
        // Only a full claim says that more may be due (what failed waits for its backoff).
        const full = claimed.length >= this.options.claimLimit;
        const more = full && canContinue();
        next = more ? this.claim() : Promise.resolve([]);
        // Awaited in the next round; until then its rejection must not count as unhandled.
        next.catch(() => undefined);
        const sent = await this.send(claimed);
        await recording;
        recording = this.record(claimed, sent, 'sweep').then((outcome) => {
          total = {
            claimed: total.claimed + claimed.length,
            published: total.published + outcome.published,
            failed: total.failed + outcome.failed,
          };
        });
        if (!more) {
          await recording;
          return { ...total, rounds, outOfTime: full };
        }
      }
    } finally {
      // A failed claim ends the sweep: what was published before it is still recorded.
      await recording;
    }
  }

  /** Reads the age of the oldest unpublished event, reports it as lag, and returns it. */
  async measureLag(): Promise<number> {
    const lag = await this.store.lagMs(this.clock.now());
    this.observer.lag?.(lag);
    return lag;
  }

  /** Starts sweeping in the background (a long-running host). */
  start(): void {
    if (this.running) return;
    this.running = true;
    const loop = (): void => {
      if (!this.running) return;
      const round = this.sweepUntilIdle()
        .then(() => this.measureLag())
        .catch((error: unknown) => {
          this.observer.error?.(error, 'sweep');
        })
        .finally(() => {
          if (this.running) {
            this.timer = setTimeout(loop, this.options.idleSweepMs);
            this.timer.unref();
          }
        });
      this.track(round);
    };
    loop();
  }

  /** Stops sweeping and waits for fast-path and sweep work in flight (clean shutdown). */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    await this.drain();
  }

  /** Waits until every event handed to the fast path so far has been dealt with. */
  async drain(): Promise<void> {
    while (this.pending.length > 0 || this.flushScheduled || this.inFlight.size > 0) {
      if (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
      else await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private claim(): Promise<ClaimedEvent[]> {
    return this.store.claimDue({
      limit: this.options.claimLimit,
      leaseMs: this.options.leaseMs,
      owner: this.options.owner,
      minAgeMs: this.options.fastPathGraceMs,
    });
  }

  private async publishBatch(
    claimed: readonly ClaimedEvent[],
    path: 'fast' | 'sweep',
  ): Promise<{ published: number; failed: number }> {
    return this.record(claimed, await this.send(claimed), path);
  }

  /** Publishes claimed events; an error thrown by the publisher is returned for `record`. */
  private async send(
    claimed: readonly ClaimedEvent[],
  ): Promise<PublishOutcome | { readonly error: unknown }> {
    if (claimed.length === 0) return { published: [], failed: [] };
    try {
      // Claimed events are serialised envelopes already: their stored text is what goes out.
      return await this.publisher.publish(claimed);
    } catch (error) {
      return { error };
    }
  }

  /** Marks what was published and schedules retries of what failed. Never rejects. */
  private async record(
    claimed: readonly ClaimedEvent[],
    sent: PublishOutcome | { readonly error: unknown },
    path: 'fast' | 'sweep',
  ): Promise<{ published: number; failed: number }> {
    if (claimed.length === 0) return { published: 0, failed: 0 };
    try {
      if ('error' in sent) {
        // Nothing is marked: the sweeper claims these once their lease (or the grace) runs out.
        this.observer.error?.(sent.error, path);
        return { published: 0, failed: claimed.length };
      }
      await this.store.markPublished(sent.published);
      if (sent.failed.length > 0) {
        const attempts = new Map(claimed.map((c) => [c.id, c.attempts]));
        await this.store.recordFailures(
          sent.failed.map((f): OutboxAttemptFailure => ({
            id: f.id,
            reason: f.reason,
            nextAttemptAt: f.retryable ? this.nextAttempt(attempts.get(f.id) ?? 0) : null,
          })),
        );
        this.observer.failed?.(sent.failed, path);
      }
      if (sent.published.length > 0) this.observer.published?.(sent.published.length, path);
      return { published: sent.published.length, failed: sent.failed.length };
    } catch (error) {
      // Not marked: the sweeper claims these again once their lease (or the grace) runs out.
      this.observer.error?.(error, path);
      return { published: 0, failed: claimed.length };
    }
  }

  private nextAttempt(previousAttempts: number): Date {
    const ceiling = Math.min(
      this.options.maxBackoffMs,
      this.options.baseBackoffMs * 2 ** previousAttempts,
    );
    return new Date(
      this.clock.now().getTime() +
        Math.max(this.options.baseBackoffMs / 2, this.random() * ceiling),
    );
  }

  private track(promise: Promise<unknown>): void {
    this.inFlight.add(promise);
    const forget = (): void => {
      this.inFlight.delete(promise);
    };
    // Both branches handled: tracking must never turn a rejection into an unhandled one.
    promise.then(forget, forget);
  }
}
