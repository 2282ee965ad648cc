import { randomUUID } from 'node:crypto';
import type { EventPublisher, PublishFailure, PublishOutcome } from '@taskflow/platform-ports';
import {
  PUT_EVENTS_MAX_BYTES,
  PUT_EVENTS_MAX_ENTRIES,
  RetryBackoff,
  type RetryOptions,
  packBatches,
  putEventsEntrySize,
} from '@taskflow/platform-eventbridge';
import {
  type BusEvent,
  type CompiledPattern,
  DEFAULT_TASKFLOW_EVENT_SOURCE,
  type DeadLetterInput,
  type DeadLetterSink,
  type EventRule,
  busEventTime,
  compilePattern,
  failureReason,
  isPermanentFailure,
} from '@taskflow/platform-event-routing';
import { type EventCatalog, type SerializedEnvelope } from '@taskflow/platform-events';
import { type Clock, systemClock } from '@taskflow/platform-kernel';
import {
  type PutEventsEntry,
  type PutEventsResult,
  type PutEventsResultEntry,
  PutEventsValidationError,
} from './put-events';

/** A rule target: takes one event; a rejection is a failed delivery. */
export type BusTarget = (event: BusEvent) => Promise<unknown>;

/** One delivery attempt of one event to one rule's target. */
export interface BusDelivery {
  readonly event: BusEvent;
  readonly rule: string;
  readonly target: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
}

/** What the bus reports, for logs and tests. */
export interface LocalBusObserver {
  /** An entry was accepted; `rules` are the rules it matched. */
  accepted?(event: BusEvent, rules: readonly string[]): void;
  delivered?(delivery: BusDelivery): void;
  /** A transient failure; the next attempt follows after `delayMs`. */
  retrying?(delivery: BusDelivery & { readonly reason: string; readonly delayMs: number }): void;
  deadLettered?(letter: DeadLetterInput & { readonly rule: string }): void;
  /** The dead-letter sink itself failed: the event is lost locally. */
  deadLetterFailed?(letter: DeadLetterInput, error: unknown): void;
  /** A rule matched but no target of that name is registered in this process. */
  unrouted?(event: BusEvent, rule: string, target: string): void;
}

/**
 * Options of {@link LocalEventBus}. An attempt is one delivery of an event to a target, before
 * dead-lettering; 3 attempts, 100 ms and 2 s of backoff ceilings unless given.
 */
export interface LocalEventBusOptions extends RetryOptions {
  /** The routing rules (normally `eventRules({ source })` of `@taskflow/platform-event-routing`). */
  readonly rules: readonly EventRule[];
  /** Code behind rule target names; a rule whose target is missing here is skipped. */
  readonly targets: Readonly<Partial<Record<string, BusTarget>>>;
  /** Where events go that a target refused for good or kept failing. */
  readonly deadLetters: DeadLetterSink;
  /** The events this release publishes, for each one's `DetailType`. */
  readonly events: EventCatalog;
  /** `Source` of envelopes handed to `publish`; `taskflow.tasks` unless given. */
  readonly source?: string;
  /** `region` of delivered events; `local` unless given. */
  readonly region?: string;
  /** `account` of delivered events; twelve zeros unless given. */
  readonly account?: string;
  readonly clock?: Clock;
  /** New event ids; random UUIDs (as EventBridge issues) unless given. */
  readonly newEventId?: () => string;
  readonly observer?: LocalBusObserver;
}

interface CompiledRule {
  readonly rule: EventRule;
  readonly matches: CompiledPattern;
}

/**
 * An in-process stand-in for an EventBridge bus, routing by the same rule patterns the CDK app
 * deploys.
 *
 * - `putEvents` takes PutEvents entries and answers as PutEvents does: each entry is accepted
 *   (an EventId) or refused (ErrorCode, ErrorMessage), and the answer comes before delivery.
 * - `publish` implements the `EventPublisher` port, so the outbox relay can publish to it: each
 *   event becomes an entry as the EventBridge publisher makes it (its JSON text as `Detail`).
 * - Each accepted event, as the EventBridge event JSON, goes to the target of every rule it
 *   matches, asynchronously. A target that fails is retried with exponential backoff up to
 *   `maxAttempts` times, then the event is dead-lettered with the last reason; a failure marked
 *   `retryable: false` is dead-lettered at once.
 *
 * Delivery is at least once, as on EventBridge; targets dedupe on the event id.
 */
export class LocalEventBus implements EventPublisher {
  private readonly rules: readonly CompiledRule[];
  private readonly targets: ReadonlyMap<string, BusTarget>;
  private readonly deadLetters: DeadLetterSink;
  private readonly source: string;
  private readonly region: string;
  private readonly account: string;
  private readonly retry: RetryBackoff;
  private readonly clock: Clock;
  private readonly newEventId: () => string;
  private readonly events: EventCatalog;
  private readonly observer: LocalBusObserver;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(options: LocalEventBusOptions) {
    this.rules = options.rules.map((rule) => ({
      rule,
      matches: compilePattern(rule.eventPattern),
    }));
    this.targets = new Map(
      Object.entries(options.targets).filter(
        (entry): entry is [string, BusTarget] => entry[1] !== undefined,
      ),
    );
    this.deadLetters = options.deadLetters;
    this.events = options.events;
    this.source = options.source ?? DEFAULT_TASKFLOW_EVENT_SOURCE;
    this.region = options.region ?? 'local';
    this.account = options.account ?? '000000000000';
    this.retry = new RetryBackoff(options, { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 2_000 });
    this.clock = options.clock ?? systemClock;
    this.newEventId = options.newEventId ?? randomUUID;
    this.observer = options.observer ?? {};
  }

  /**
   * Accepts entries as PutEvents does and schedules their delivery.
   *
   * @throws PutEventsValidationError for a request EventBridge refuses as a whole: no entries,
   *   more than 10, or more than 256 KB in total.
   */
  putEvents(entries: readonly PutEventsEntry[]): Promise<PutEventsResult> {
    // An executor's throw becomes the rejection, as a refused request is on the SDK.
    return new Promise((resolve) => {
      resolve(this.accept(entries));
    });
  }

  /** Publishes events as the EventBridge publisher would: one entry each, under `source`. */
  async publish(events: readonly SerializedEnvelope[]): Promise<PublishOutcome> {
    const published: string[] = [];
    const failed: PublishFailure[] = [];
    const outgoing: { id: string; entry: PutEventsEntry }[] = [];
    for (const event of events) {
      const definition = this.events.definitionOf(event.type);
      if (definition === undefined) {
        // As the EventBridge publisher: a newer release may know the type; keep it in the outbox.
        failed.push({
          id: event.id,
          reason: `unknown event type ${event.type}`,
          retryable: true,
        });
        continue;
      }
      outgoing.push({
        id: event.id,
        entry: {
          Source: this.source,
          DetailType: definition.detailType,
          Detail: event.json,
          Time: event.occurredAt,
          Resources: [],
        },
      });
    }
    for (const batch of packBatches(outgoing, (item) => sizeOf(item.entry))) {
      let result: PutEventsResult;
      try {
        result = await this.putEvents(batch.map((item) => item.entry));
      } catch (error) {
        // Only a lone entry over the size limit gets here (packing keeps batches within it).
        for (const item of batch)
          failed.push({ id: item.id, reason: failureReason(error), retryable: false });
        continue;
      }
      batch.forEach((item, index) => {
        const answer = result.Entries[index];
        if (answer !== undefined && 'EventId' in answer) published.push(item.id);
        else {
          const reason =
            answer === undefined ? 'no result' : `${answer.ErrorCode}: ${answer.ErrorMessage}`;
          failed.push({ id: item.id, reason, retryable: false });
        }
      });
    }
    return { published, failed };
  }

  /** Waits until every delivery scheduled so far (retries and dead-lettering included) ended. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private accept(entries: readonly PutEventsEntry[]): PutEventsResult {
    if (entries.length === 0 || entries.length > PUT_EVENTS_MAX_ENTRIES) {
      throw new PutEventsValidationError(
        `a PutEvents request holds 1 to ${PUT_EVENTS_MAX_ENTRIES} entries, not ${entries.length}`,
      );
    }
    const total = entries.reduce((sum, entry) => sum + sizeOf(entry), 0);
    if (total > PUT_EVENTS_MAX_BYTES) {
      throw new PutEventsValidationError(
        `the entries total ${total} bytes; a PutEvents request holds at most ${PUT_EVENTS_MAX_BYTES}`,
      );
    }
    const results = entries.map((entry): PutEventsResultEntry => {
      const made = this.toEvent(entry);
      if ('ErrorCode' in made) return made;
      this.route(made);
      return { EventId: made.id };
    });
    return {
      FailedEntryCount: results.filter((result) => 'ErrorCode' in result).length,
      Entries: results,
    };
  }

  /** Builds the EventBridge event of an entry, or the per-entry error PutEvents answers. */
  private toEvent(
    entry: PutEventsEntry,
  ): BusEvent | Extract<PutEventsResultEntry, { ErrorCode: string }> {
    for (const name of ['Source', 'DetailType', 'Detail'] as const) {
      const value = entry[name];
      if (typeof value !== 'string' || value.trim() === '') {
        return invalid(`Parameter ${name} is not valid. Reason: ${name} is a required argument.`);
      }
    }
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail ?? '');
    } catch {
      detail = undefined;
    }
    if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    const size = sizeOf(entry);
    if (size > PUT_EVENTS_MAX_BYTES) {
      return invalid(
        `Entry is ${size} bytes; EventBridge accepts at most ${PUT_EVENTS_MAX_BYTES}.`,
      );
    }
    const time = entry.Time === undefined ? this.clock.now() : new Date(entry.Time);
    if (Number.isNaN(time.getTime())) return invalid('Parameter Time is not valid.');
    return {
      version: '0',
      id: this.newEventId(),
      'detail-type': entry.DetailType ?? '',
      source: entry.Source ?? '',
      account: this.account,
      time: busEventTime(time),
      region: this.region,
      resources: [...(entry.Resources ?? [])],
      detail,
    };
  }

  private route(event: BusEvent): void {
    const matched = this.rules.filter((compiled) => compiled.matches(event));
    this.observer.accepted?.(
      event,
      matched.map((compiled) => compiled.rule.name),
    );
    for (const { rule } of matched) {
      const target = this.targets.get(rule.target);
      if (target === undefined) {
        this.observer.unrouted?.(event, rule.name, rule.target);
        continue;
      }
      this.track(this.deliver(event, rule, target));
    }
  }

  private async deliver(event: BusEvent, rule: EventRule, target: BusTarget): Promise<void> {
    // PutEvents answers before any target runs, as on AWS.
    await new Promise((resolve) => setImmediate(resolve));
    for (let attempt = 1; ; attempt += 1) {
      const delivery = { event, rule: rule.name, target: rule.target, attempt };
      try {
        // Each target gets its own copy: one target's mutation must not reach another.
        await target(structuredClone(event));
        this.observer.delivered?.(delivery);
        return;
      } catch (error) {
        const reason = failureReason(error);
        if (isPermanentFailure(error) || attempt >= this.retry.maxAttempts) {
          await this.deadLetter(
            { event, target: rule.target, reason, attempts: attempt, failedAt: this.clock.now() },
            rule.name,
          );
          return;
        }
        const delayMs = this.retry.delayMs(attempt);
        this.observer.retrying?.({ ...delivery, reason, delayMs });
        await this.retry.wait(delayMs);
      }
    }
  }

  private async deadLetter(letter: DeadLetterInput, rule: string): Promise<void> {
    try {
      await this.deadLetters(letter);
      this.observer.deadLettered?.({ ...letter, rule });
    } catch (error) {
      this.observer.deadLetterFailed?.(letter, error);
    }
  }

  private track(delivery: Promise<void>): void {
    this.inFlight.add(delivery);
    const forget = (): void => {
      this.inFlight.delete(delivery);
    };
    // Both branches handled: a delivery never rejects, but tracking must not create an
    // unhandled rejection if one ever did.
    delivery.then(forget, forget);
  }
}

function invalid(message: string): { ErrorCode: string; ErrorMessage: string } {
  return { ErrorCode: 'InvalidArgument', ErrorMessage: message };
}

/** Entry sizes already counted: a call counts each entry to pack, to check, then to route. */
const entrySizes = new WeakMap<PutEventsEntry, number>();

/** Size of an entry as EventBridge counts it (Time counts 14 bytes, whatever its form). */
function sizeOf(entry: PutEventsEntry): number {
  let size = entrySizes.get(entry);
  if (size === undefined) {
    size = countedSize(entry);
    entrySizes.set(entry, size);
  }
  return size;
}

function countedSize(entry: PutEventsEntry): number {
  return putEventsEntrySize({
    ...(entry.Source === undefined ? {} : { Source: entry.Source }),
    ...(entry.DetailType === undefined ? {} : { DetailType: entry.DetailType }),
    ...(entry.Detail === undefined ? {} : { Detail: entry.Detail }),
    ...(entry.Resources === undefined ? {} : { Resources: [...entry.Resources] }),
    ...(entry.Time === undefined ? {} : { Time: new Date(0) }),
  });
}
