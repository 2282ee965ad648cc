import { compilePattern } from './event-pattern.matcher';
import {
  DEFAULT_TASKFLOW_EVENT_SOURCE,
  EVENT_RULES,
  type EventRule,
  INBOUND_COMMAND_SOURCE,
  eventRules,
} from './event-rules';

/** An event as EventBridge delivers it, with only what the rules look at varying. */
function busEvent(source: string, detailType: string, detail: unknown = {}): unknown {
  return {
    version: '0',
    id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    'detail-type': detailType,
    source,
    account: '000000000000',
    time: '2025-01-01T00:00:00Z',
    region: 'local',
    resources: [],
    detail,
  };
}

function rule(rules: readonly EventRule[], name: string): EventRule {
  const found = rules.find((r) => r.name === name);
  if (found === undefined) throw new Error(`no rule ${name}`);
  return found;
}

/** Names of the rules that match the event. */
function routed(rules: readonly EventRule[], event: unknown): string[] {
  return rules.filter((r) => compilePattern(r.eventPattern)(event)).map((r) => r.name);
}

// The detail types Taskflow publishes its own events under (see @taskflow/events); the inbound
// commands reuse three of them, so only the source keeps the two apart.
const OWN_DETAIL_TYPES = [
  'Task Created',
  'Task Updated',
  'Task Status Changed',
  'Task Assigned',
  'Task Completed',
  'Task Deleted',
  'Comment Added',
  'User Created',
  'Project Created',
  'Project Member Added',
  'Project Member Removed',
];

describe('EVENT_RULES', () => {
  it('has uniquely named rules whose patterns compile', () => {
    // Act
    const names = EVENT_RULES.map((r) => r.name);

    // Assess
    expect(new Set(names).size).toBe(names.length);
    for (const r of EVENT_RULES) expect(() => compilePattern(r.eventPattern)).not.toThrow();
  });

  it('is plain, frozen JSON data (what the CDK app deploys)', () => {
    // Act
    const roundTripped: unknown = JSON.parse(JSON.stringify(EVENT_RULES));

    // Assess
    expect(roundTripped).toEqual(EVENT_RULES);
    expect(Object.isFrozen(EVENT_RULES)).toBe(true);
    expect(Object.isFrozen(rule(EVENT_RULES, 'inbound-task-commands').eventPattern)).toBe(true);
  });

  it('routes the inbound commands to the processor with the documented pattern', () => {
    // Act
    const inbound = rule(EVENT_RULES, 'inbound-task-commands');

    // Assess
    expect(inbound).toMatchObject({
      target: 'processor',
      eventPattern: {
        source: ['task.management'],
        'detail-type': ['Task Created', 'Task Updated', 'Task Completed'],
      },
    });
    expect(rule(EVENT_RULES, 'taskflow-domain-events')).toMatchObject({
      target: 'broadcaster',
      eventPattern: { source: [DEFAULT_TASKFLOW_EVENT_SOURCE] },
    });
  });

  it.each(['Task Created', 'Task Updated', 'Task Completed'])(
    'sends the seed command "%s" to the processor only',
    (detailType) => {
      // Act
      const names = routed(EVENT_RULES, busEvent(INBOUND_COMMAND_SOURCE, detailType));

      // Assess
      expect(names).toEqual(['inbound-task-commands']);
    },
  );

  it.each(OWN_DETAIL_TYPES)(
    'never sends our own "%s" to the processor (no loops), only to the broadcaster',
    (detailType) => {
      // Act
      const names = routed(EVENT_RULES, busEvent(DEFAULT_TASKFLOW_EVENT_SOURCE, detailType));

      // Assess
      expect(names).toEqual(['taskflow-domain-events']);
    },
  );

  it.each([
    { case: 'another detail type', event: busEvent(INBOUND_COMMAND_SOURCE, 'Task Deleted') },
    {
      case: 'the detail type in another case',
      event: busEvent(INBOUND_COMMAND_SOURCE, 'task created'),
    },
    { case: 'another source', event: busEvent('task.management.v2', 'Task Created') },
  ])('routes $case nowhere', ({ event }) => {
    // Act
    const names = routed(EVENT_RULES, event);

    // Assess
    expect(names).toEqual([]);
  });
});

describe('eventRules', () => {
  it('uses the configured source for our own events, and still not for the processor', () => {
    // Prepare
    const rules = eventRules({ source: 'acme.taskflow' });

    // Act
    const own = routed(rules, busEvent('acme.taskflow', 'Task Created'));
    const defaultSource = routed(rules, busEvent(DEFAULT_TASKFLOW_EVENT_SOURCE, 'Task Created'));

    // Assess
    expect(own).toEqual(['taskflow-domain-events']);
    expect(defaultSource).toEqual([]);
  });

  it.each([
    { case: 'the inbound source (a loop)', source: INBOUND_COMMAND_SOURCE, message: /loop/ },
    { case: 'an empty source', source: ' ', message: /empty/ },
  ])('refuses $case', ({ source, message }) => {
    // Act
    const act = (): unknown => eventRules({ source });

    // Assess
    expect(act).toThrow(message);
  });
});
