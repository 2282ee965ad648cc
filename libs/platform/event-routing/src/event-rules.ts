import type { EventPattern } from './event-pattern.matcher';

/** `Source` of the inbound task commands other systems put on the bus (the seed's producers). */
export const INBOUND_COMMAND_SOURCE = 'task.management';

/** `DetailType`s of the inbound task commands. */
export const INBOUND_COMMAND_DETAIL_TYPES = [
  'Task Created',
  'Task Updated',
  'Task Completed',
] as const;

/** `Source` of the events Taskflow itself publishes, unless configured otherwise. */
export const DEFAULT_TASKFLOW_EVENT_SOURCE = 'taskflow.tasks';

/** The targets rules deliver to; each deployment (local bus, CDK app) binds them to code. */
export const RULE_TARGETS = ['processor', 'broadcaster'] as const;

/** The name of a rule's target. */
export type RuleTarget = (typeof RULE_TARGETS)[number];

/**
 * One routing rule as plain JSON data, so that the in-process bus and the CDK app deploy the
 * very same patterns.
 */
export interface EventRule {
  /** Unique, stable name (the CDK app derives the AWS rule name from it). */
  readonly name: string;
  readonly description: string;
  /** An EventBridge event pattern. */
  readonly eventPattern: EventPattern;
  readonly target: RuleTarget;
}

/** Options of {@link eventRules}. */
export interface EventRulesOptions {
  /** `Source` of Taskflow's own events; {@link DEFAULT_TASKFLOW_EVENT_SOURCE} unless given. */
  readonly source?: string;
}

/**
 * The rules of the Taskflow bus.
 *
 * - `inbound-task-commands` sends the seed's command events (source `task.management`) to the
 *   task processor.
 * - `taskflow-domain-events` sends Taskflow's own events (its configured source) to the
 *   live-update broadcaster.
 *
 * The two sources must differ: the processor's writes publish events under Taskflow's source,
 * and if that source also matched the inbound rule every command would feed itself forever.
 *
 * @throws RangeError when `source` is empty or equals {@link INBOUND_COMMAND_SOURCE}.
 */
export function eventRules(options: EventRulesOptions = {}): readonly EventRule[] {
  const source = options.source ?? DEFAULT_TASKFLOW_EVENT_SOURCE;
  if (source.trim() === '') throw new RangeError('the Taskflow event source must not be empty');
  if (source === INBOUND_COMMAND_SOURCE) {
    throw new RangeError(
      `the Taskflow event source must differ from ${INBOUND_COMMAND_SOURCE}: its own events would loop back into the processor`,
    );
  }
  const rules: EventRule[] = [
    {
      name: 'inbound-task-commands',
      description:
        'Task commands from other systems (source task.management) to the task processor.',
      eventPattern: {
        source: [INBOUND_COMMAND_SOURCE],
        'detail-type': [...INBOUND_COMMAND_DETAIL_TYPES],
      },
      target: 'processor',
    },
    {
      name: 'taskflow-domain-events',
      description: `Taskflow's own events (source ${source}) to the live-update broadcaster.`,
      eventPattern: { source: [source] },
      target: 'broadcaster',
    },
  ];
  return deepFreeze(rules);
}

/** The rules with Taskflow's default event source. */
export const EVENT_RULES: readonly EventRule[] = eventRules();

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
