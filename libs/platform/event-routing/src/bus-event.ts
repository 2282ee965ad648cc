import { z } from 'zod';

/**
 * An event as EventBridge hands it to a target (and as the local bus does): the envelope
 * EventBridge adds around a PutEvents entry. Structurally compatible with `EventBridgeEvent`
 * of `@types/aws-lambda`, so a Lambda handler can pass its event straight on.
 */
export interface BusEvent<TDetail = unknown> {
  readonly version: string;
  /** Unique per PutEvents entry; a redelivery or a replay of the entry keeps it. */
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  /** When the event happened, `YYYY-MM-DDTHH:mm:ssZ`. */
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: TDetail;
  /** Set by EventBridge when the event is delivered by an archive replay. */
  readonly 'replay-name'?: string;
}

/** Schema of a {@link BusEvent} whose detail is a JSON object, for events read from outside. */
export const BusEventSchema = z.looseObject({
  version: z.string(),
  id: z.string().min(1),
  'detail-type': z.string().min(1),
  source: z.string().min(1),
  account: z.string(),
  time: z.string(),
  region: z.string(),
  resources: z.array(z.string()),
  detail: z.record(z.string(), z.unknown()),
});

/** EventBridge's `time` format: ISO 8601 in UTC, to the second. */
export function busEventTime(at: Date): string {
  return `${at.toISOString().slice(0, 19)}Z`;
}
