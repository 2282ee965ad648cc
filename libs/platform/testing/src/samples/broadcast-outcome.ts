const NOTHING_BROADCAST = {
  connections: 0,
  sent: 0,
  gone: 0,
  connecting: 0,
  failed: 0,
  closed: 0,
  closeFailed: 0,
};

/** The counts of one broadcast (`BroadcastOutcome` of @taskflow/live-updates). */
export type SampleBroadcastOutcome = { readonly [K in keyof typeof NOTHING_BROADCAST]: number };

/** A whole broadcast outcome: the given counts, every other one zero (to compare with `toEqual`). */
export function broadcastOutcome(
  counts: Partial<SampleBroadcastOutcome> = {},
): SampleBroadcastOutcome {
  return { ...NOTHING_BROADCAST, ...counts };
}
