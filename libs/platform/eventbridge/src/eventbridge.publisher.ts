import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsCommandOutput,
  type PutEventsRequestEntry,
  type PutEventsResultEntry,
} from '@aws-sdk/client-eventbridge';
import type { EventPublisher, PublishFailure, PublishOutcome } from '@taskflow/platform-ports';
import { type EventCatalog, type SerializedEnvelope } from '@taskflow/platform-events';
import { DEFAULT_TASKFLOW_EVENT_SOURCE } from '@taskflow/platform-event-routing';
import { RetryBackoff, type RetryOptions } from './retry-options';
import { classifyCallError, classifyEntryError } from './put-events.errors';
import { PUT_EVENTS_MAX_BYTES, packBatches, putEventsEntrySize } from './put-events.limits';

/** Sends of one entry per publish call unless configured otherwise, the first one included. */
export const DEFAULT_MAX_ATTEMPTS = 4;
/** First backoff ceiling unless configured otherwise; it doubles with every retry. */
export const DEFAULT_BASE_DELAY_MS = 100;
/** Highest backoff ceiling unless configured otherwise. */
export const DEFAULT_MAX_DELAY_MS = 2_000;
/** How long one PutEvents call may take unless configured otherwise. */
export const DEFAULT_CALL_TIMEOUT_MS = 5_000;

/** What one {@link EventBridgePublisher.publish} call did, for a metrics hook. */
export interface EventBridgePublishMetrics {
  /** Events handed to `publish`. */
  readonly events: number;
  readonly published: number;
  /** Events reported failed with `retryable: true` (attempts exhausted, caller refused...). */
  readonly failedRetryable: number;
  /** Events reported failed with `retryable: false` (oversize, rejected as malformed...). */
  readonly failedPermanent: number;
  /** PutEvents calls made, retries included. */
  readonly calls: number;
  /** Calls refused as a whole for throttling. */
  readonly throttledCalls: number;
  /** Entries sent again after a retryable failure. */
  readonly resentEntries: number;
  readonly durationMs: number;
}

/**
 * Options of {@link EventBridgePublisher}. An attempt is one send of an entry; the retry
 * settings default to {@link DEFAULT_MAX_ATTEMPTS}, {@link DEFAULT_BASE_DELAY_MS} and
 * {@link DEFAULT_MAX_DELAY_MS}.
 */
export interface EventBridgePublisherOptions extends RetryOptions {
  /**
   * The client to send with. Build it with `createEventBridgeClient`, which turns the SDK's own
   * retries off; with SDK retries on, every attempt counted here may be several calls.
   */
  readonly client: EventBridgeClient;
  /** Name or ARN of the event bus. */
  readonly eventBusName: string;
  /** The events this release publishes, for each one's `DetailType`. */
  readonly events: EventCatalog;
  /** `Source` of every entry; {@link DEFAULT_TASKFLOW_EVENT_SOURCE} unless given. */
  readonly source?: string;
  /** How long one PutEvents call may take before it is abandoned and counted as a failed attempt. */
  readonly callTimeoutMs?: number;
  /** The current X-Ray trace header (`Root=…;Parent=…;Sampled=…`), if there is one. */
  readonly traceHeader?: () => string | undefined;
  /** Called once at the end of every publish call. */
  readonly metrics?: (metrics: EventBridgePublishMetrics) => void;
}

/** What happened to one entry in one attempt. */
type Attempt =
  | { readonly kind: 'published' }
  | { readonly kind: 'retry'; readonly reason: string }
  | { readonly kind: 'failed'; readonly reason: string; readonly retryable: boolean };

type Final = Exclude<Attempt, { kind: 'retry' }>;

/** An event made into a PutEvents entry, remembering where it stood in the publish call. */
interface Outgoing {
  readonly position: number;
  readonly entry: PutEventsRequestEntry;
  readonly size: number;
}

interface Counters {
  calls: number;
  throttledCalls: number;
  resentEntries: number;
}

/**
 * The deadline of each PutEvents call of one publish call, whose calls go out one at a time:
 * one timer, re-armed for every call, and one abort signal, replaced only after it fired,
 * instead of an `AbortSignal.timeout` per call (a signal and a timer each, the timer left
 * running after the call answered). Its cost per call was measurable in the relay's profile.
 */
class CallDeadline {
  private controller = new AbortController();
  private timer: NodeJS.Timeout | null = null;
  private inCall = false;

  constructor(private readonly ms: number) {}

  /** Starts the deadline of a call; the signal aborts if the call is still running `ms` later. */
  start(): AbortSignal {
    if (this.controller.signal.aborted) this.controller = new AbortController();
    this.inCall = true;
    if (this.timer === null) {
      this.timer = setTimeout(() => {
        // It may fire between calls (a backoff sleep): then there is nothing to abort.
        if (this.inCall) this.controller.abort();
      }, this.ms);
      // As with AbortSignal.timeout: the call in flight, not its deadline, keeps the process up.
      this.timer.unref();
    } else {
      // Restarts the full period, also after the timer fired.
      this.timer.refresh();
    }
    return this.controller.signal;
  }

  /** The call answered (or failed): the deadline no longer applies. */
  end(): void {
    this.inCall = false;
  }

  /** Releases the timer; the publish call is over. */
  dispose(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}

/**
 * Publishes event envelopes to an EventBridge bus with PutEvents.
 *
 * - Each event becomes one entry: `Source`, `DetailType` from the event's definition,
 *   `Detail` the envelope's JSON text as given (as stored in the outbox, not parsed and
 *   serialised again), `EventBusName`, `Time` the event's `occurredAt`, no `Resources`, and
 *   `TraceHeader` when a trace header is available.
 * - Entries are packed, in order, into calls of at most 10 entries and 256 KB (as EventBridge
 *   counts size). An entry over 256 KB on its own is never sent: it fails with
 *   `retryable: false`.
 * - A call that fails as a whole for a transient reason (throttling, server fault, timeout,
 *   network) is sent again; within a call that went through, only the entries that failed with
 *   a retryable code are sent again, matched to their results by position. Retries wait an
 *   exponentially growing, fully jittered delay and stop after `maxAttempts` sends of an entry,
 *   which is then reported `retryable: true` for the caller (the outbox relay) to try later.
 * - Entries rejected with a non-retryable code (MalformedDetail, AccessDeniedException...) are
 *   reported `retryable: false` at once.
 *
 * `publish` never throws for delivery failures: every event is either in `published` or in
 * `failed`. Batches go out one after another, so a throttled bus is not hit by parallel calls.
 */
export class EventBridgePublisher implements EventPublisher {
  private readonly client: EventBridgeClient;
  private readonly eventBusName: string;
  private readonly events: EventCatalog;
  private readonly source: string;
  private readonly retry: RetryBackoff;
  private readonly callTimeoutMs: number;
  private readonly traceHeader: (() => string | undefined) | undefined;
  private readonly metrics: ((metrics: EventBridgePublishMetrics) => void) | undefined;

  /** @throws RangeError when an option is out of range (a configuration mistake). */
  constructor(options: EventBridgePublisherOptions) {
    this.client = options.client;
    this.eventBusName = nonEmpty('eventBusName', options.eventBusName);
    this.events = options.events;
    this.source = nonEmpty('source', options.source ?? DEFAULT_TASKFLOW_EVENT_SOURCE);
    this.retry = new RetryBackoff(options, {
      maxAttempts: DEFAULT_MAX_ATTEMPTS,
      baseDelayMs: DEFAULT_BASE_DELAY_MS,
      maxDelayMs: DEFAULT_MAX_DELAY_MS,
    });
    nonNegative('baseDelayMs', this.retry.baseDelayMs);
    nonNegative('maxDelayMs', this.retry.maxDelayMs);
    if (this.retry.maxDelayMs < this.retry.baseDelayMs) {
      throw new RangeError('maxDelayMs must be at least baseDelayMs');
    }
    this.callTimeoutMs = options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    if (!(this.callTimeoutMs > 0)) throw new RangeError('callTimeoutMs must be > 0');
    this.traceHeader = options.traceHeader;
    this.metrics = options.metrics;
  }

  /** Sends the events; reports, event by event, which were published and which failed. */
  async publish(events: readonly SerializedEnvelope[]): Promise<PublishOutcome> {
    const started = performance.now();
    const counters: Counters = { calls: 0, throttledCalls: 0, resentEntries: 0 };
    const finals = new Map<number, Final>();
    const traceHeader = this.traceHeader?.();

    const outgoing: Outgoing[] = [];
    events.forEach((event, position) => {
      const prepared = this.toEntry(event, traceHeader);
      if ('kind' in prepared) finals.set(position, prepared);
      else outgoing.push({ position, ...prepared });
    });

    const deadline = new CallDeadline(this.callTimeoutMs);
    try {
      for (const batch of packBatches(outgoing, (item) => item.size)) {
        await this.deliver(batch, finals, counters, deadline);
      }
    } finally {
      deadline.dispose();
    }

    const published: string[] = [];
    const failed: PublishFailure[] = [];
    events.forEach((event, position) => {
      const final = finals.get(position);
      if (final?.kind === 'published') published.push(event.id);
      else {
        // Every position has a final state by now; the fallback only rules out losing an event.
        const { reason, retryable } = final ?? { reason: 'not attempted', retryable: true };
        failed.push({ id: event.id, reason, retryable });
      }
    });

    this.report({
      events: events.length,
      published: published.length,
      failedRetryable: failed.filter((failure) => failure.retryable).length,
      failedPermanent: failed.filter((failure) => !failure.retryable).length,
      ...counters,
      durationMs: performance.now() - started,
    });
    return { published, failed };
  }

  /** Makes the PutEvents entry of an event, or the reason it can never be sent. */
  private toEntry(
    event: SerializedEnvelope,
    traceHeader: string | undefined,
  ): { entry: PutEventsRequestEntry; size: number } | Final {
    const definition = this.events.definitionOf(event.type);
    if (!definition) {
      // Most likely written by a newer release than this one; a relay running that release can
      // publish it, so it must stay in the outbox rather than be dead-lettered.
      return { kind: 'failed', reason: `unknown event type ${event.type}`, retryable: true };
    }
    const time = new Date(event.occurredAt);
    const entry: PutEventsRequestEntry = {
      Source: this.source,
      DetailType: definition.detailType,
      // The stored text as it is: parsing and serialising it again would give the same bytes.
      Detail: event.json,
      EventBusName: this.eventBusName,
      Resources: [],
    };
    // An unreadable occurredAt must not sink the event: EventBridge then stamps the call's
    // time, and the envelope in Detail still carries the original.
    if (!Number.isNaN(time.getTime())) entry.Time = time;
    if (traceHeader !== undefined && traceHeader !== '') entry.TraceHeader = traceHeader;
    const size = putEventsEntrySize(entry);
    if (size > PUT_EVENTS_MAX_BYTES) {
      return {
        kind: 'failed',
        reason: `entry is ${size} bytes; EventBridge accepts at most ${PUT_EVENTS_MAX_BYTES}`,
        retryable: false,
      };
    }
    return { entry, size };
  }

  /** Sends one batch until every entry is published, failed for good, or out of attempts. */
  private async deliver(
    batch: readonly Outgoing[],
    finals: Map<number, Final>,
    counters: Counters,
    deadline: CallDeadline,
  ): Promise<void> {
    let pending = batch;
    for (let attempt = 1; pending.length > 0; attempt += 1) {
      const retry: { item: Outgoing; reason: string }[] = [];
      for (const [item, result] of await this.sendOnce(pending, counters, deadline)) {
        if (result.kind === 'retry') retry.push({ item, reason: result.reason });
        else finals.set(item.position, result);
      }
      if (retry.length === 0) return;
      if (attempt >= this.retry.maxAttempts) {
        for (const { item, reason } of retry) {
          const gaveUp = `${reason} (gave up after ${attempt} attempts)`;
          finals.set(item.position, { kind: 'failed', reason: gaveUp, retryable: true });
        }
        return;
      }
      counters.resentEntries += retry.length;
      await this.retry.wait(this.retry.delayMs(attempt));
      // A subset of a batch that fitted the limits still fits them.
      pending = retry.map(({ item }) => item);
    }
  }

  /** One PutEvents call (more when a rejected request has to be split), result per entry. */
  private async sendOnce(
    batch: readonly Outgoing[],
    counters: Counters,
    deadline: CallDeadline,
  ): Promise<(readonly [Outgoing, Attempt])[]> {
    counters.calls += 1;
    const signal = deadline.start();
    let output: PutEventsCommandOutput;
    try {
      output = await this.client.send(
        new PutEventsCommand({ Entries: batch.map((item) => item.entry) }),
        { abortSignal: signal },
      );
    } catch (error) {
      deadline.end();
      // The SDK reports our own deadline as a bare "Request aborted"; say what happened.
      const verdict = signal.aborted
        ? ({
            kind: 'transient',
            code: 'TimeoutError',
            message: `no answer within ${this.callTimeoutMs} ms`,
          } as const)
        : classifyCallError(error);
      const reason = `${verdict.code}: ${verdict.message}`;
      if (verdict.kind === 'throttled') counters.throttledCalls += 1;
      if (verdict.kind === 'throttled' || verdict.kind === 'transient') {
        return batch.map((item) => [item, { kind: 'retry', reason }] as const);
      }
      if (verdict.kind === 'refused') {
        // Credentials or permissions, not the events: the caller should try them again later.
        return batch.map((item) => [item, { kind: 'failed', reason, retryable: true }] as const);
      }
      if (batch.length === 1) {
        return batch.map((item) => [item, { kind: 'failed', reason, retryable: false }] as const);
      }
      // A request refused as malformed does not say which entry was at fault: send each alone
      // so that one bad entry cannot take its batch-mates down with it.
      const results: (readonly [Outgoing, Attempt])[] = [];
      for (const item of batch) {
        results.push(...(await this.sendOnce([item], counters, deadline)));
      }
      return results;
    }
    deadline.end();
    const results = output.Entries ?? [];
    return batch.map((item, index) => [item, interpret(results[index])] as const);
  }

  private report(metrics: EventBridgePublishMetrics): void {
    try {
      this.metrics?.(metrics);
    } catch {
      // A broken metrics sink must not turn published events into a thrown error: the relay
      // would then publish them all again.
    }
  }
}

/** What one entry of a PutEvents response means for its request entry (same position). */
function interpret(result: PutEventsResultEntry | undefined): Attempt {
  if (result === undefined) {
    return { kind: 'retry', reason: 'EventBridge returned no result for this entry' };
  }
  if (result.ErrorCode !== undefined) {
    const reason = `${result.ErrorCode}: ${result.ErrorMessage ?? 'no message'}`;
    return classifyEntryError(result.ErrorCode) === 'permanent'
      ? { kind: 'failed', reason, retryable: false }
      : { kind: 'retry', reason };
  }
  if (result.EventId !== undefined && result.EventId !== '') return { kind: 'published' };
  return { kind: 'retry', reason: 'EventBridge returned neither an EventId nor an ErrorCode' };
}

function nonEmpty(name: string, value: string): string {
  if (value.trim() === '') throw new RangeError(`${name} must not be empty`);
  return value;
}

function nonNegative(name: string, value: number): void {
  if (!(value >= 0) || !Number.isFinite(value)) {
    throw new RangeError(`${name} must be a finite number ≥ 0`);
  }
}
