import { type SerializedEnvelope } from '@taskflow/platform-events';

/** Why one event was not published. */
export interface PublishFailure {
  readonly id: string;
  readonly reason: string;
  /** False when sending the same event again cannot succeed (too large, malformed). */
  readonly retryable: boolean;
}

/** What a publish call achieved, event by event. */
export interface PublishOutcome {
  readonly published: readonly string[];
  readonly failed: readonly PublishFailure[];
}

/**
 * Port to an event bus (EventBridge, or the in-process bus locally). Delivery is at least once:
 * an event may be published again after a crash, so consumers dedupe on the envelope `id`.
 * Implementations report per-event outcomes instead of throwing for partial failures.
 */
export interface EventPublisher {
  /**
   * Publishes each event's stored JSON text as it is (`serializeEnvelope` makes one of an
   * envelope); the outcome names events by `id`.
   */
  publish(events: readonly SerializedEnvelope[]): Promise<PublishOutcome>;
}
