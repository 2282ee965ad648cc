import { type App, CfnElement, Stack, Token, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { IConstruct } from 'constructs';
import type { TaskflowConfig } from '../config/config.schema';
import { getTestConfig, resolveConfig } from '../config/presets';
import { CONNECTION_ERRORS_METRIC } from '../constructs/alarm-database.construct';
import { type MonitoredRule, PipelineAlarms } from '../constructs/alarm-pipeline.construct';
import { DeadLetterQueue } from '../constructs/dead-letter-queue.construct';
import { REST_ACCESS_LOG_FIELDS } from '../constructs/monitoring-queries.construct';
import { synthFixture } from '../testing/synth-fixture';
import type { RegionStacks } from '../taskflow-app';
import { MonitoringStack } from './monitoring.stack';
import { expectNagClean, regionAt } from '../testing/template-assertions';
import {
  alarm,
  alarmsOf,
  type ExpectedAlarm,
  expectAlarm,
  expectAlarmSettings,
  expectNotifiesTopic,
  type Json,
} from '../testing/alarm-assertions';

// A whole app synthesizes (with cdk-nag) in tens of seconds on the shared 2-core machines.
jest.setTimeout(300_000);

type Resources = Record<string, { Type: string; Properties: Json }>;

/** The functions every region runs behind its triggers, as the alarms name them. */
const APPS = ['api', 'ws-connect', 'ws-disconnect', 'broadcaster', 'processor', 'relay'];
/** The alarms every dev Aurora region has whatever is wired: per function, database, outbox. */
const STANDING_ALARMS = [
  ...APPS.flatMap((a) =>
    ['errors', 'duration', 'throttles', 'concurrency'].map((w) => `taskflow-dev-${a}-${w}`),
  ),
  'taskflow-dev-database-connection-errors',
  'taskflow-dev-database-capacity',
  'taskflow-dev-outbox-lag',
];
const DIRECT_APIS = {
  restApiName: 'taskflow-dev-api',
  restStage: 'v1',
  webSocketApiId: 'abc123defg',
  webSocketStage: 'live',
};
const DIRECT_RULES: readonly MonitoredRule[] = [
  {
    label: 'task-commands',
    ruleName: 'taskflow-dev-task-commands',
    busName: 'taskflow-dev-events',
  },
  { label: 'broadcast', ruleName: 'taskflow-dev-broadcast', busName: 'taskflow-dev-events' },
];

/** The alarms of a set of dead-letter queues (`<app>-<key>`) and rules (by label). */
function pipelineAlarms(queues: readonly string[], ruleLabels: readonly string[]): string[] {
  return [
    ...queues.map((q) => `taskflow-dev-${q}-not-empty`),
    ...ruleLabels.flatMap((l) => [
      `taskflow-dev-rule-${l}-failed-invocations`,
      `taskflow-dev-rule-${l}-events-lost`,
    ]),
  ];
}

/** Any single datapoint at or over the threshold alarms: a throttle, a failed delivery. */
const ANY_DATAPOINT: Json = {
  Threshold: 1,
  EvaluationPeriods: 1,
  ComparisonOperator: 'GreaterThanOrEqualToThreshold',
  TreatMissingData: 'notBreaching',
};

/** A dead-letter queue alarms on its first message. */
const NOT_EMPTY: Json = {
  Threshold: 0,
  EvaluationPeriods: 1,
  ComparisonOperator: 'GreaterThanThreshold',
  TreatMissingData: 'notBreaching',
};

/** The dimensions of a function's alias metrics name the `live` alias. */
function expectLiveAlias(dimensions: unknown): void {
  expect(JSON.stringify(dimensions)).toContain(':live');
}

/** A rule's two alarms, failed invocations and events lost, on its `AWS/Events` metrics. */
function expectRuleAlarms(template: Template, label: string, dimensions: unknown): void {
  for (const [suffix, metricName] of [
    ['failed-invocations', 'FailedInvocations'],
    ['events-lost', 'InvocationsFailedToBeSentToDlq'],
  ] as const)
    expectAlarm(template, `taskflow-dev-rule-${label}-${suffix}`, {
      metric: { namespace: 'AWS/Events', metricName, dimensions, period: 300, statistic: 'Sum' },
      exact: true,
      settings: ANY_DATAPOINT,
    });
}

/**
 * The name of the export through which the monitoring stack reads a resource of another stack
 * (its `Ref`, or an attribute): `<stack>:ExportsOutput<Ref|FnGetAtt><logical id>[attr]<hash>`.
 */
function exportName(construct: IConstruct, attribute?: string): string {
  const stack = Stack.of(construct);
  const resource = construct instanceof CfnElement ? construct : construct.node.defaultChild;
  if (!(resource instanceof CfnElement))
    throw new Error(`${construct.node.path} has no CloudFormation resource`);
  const logicalId = String(stack.resolve(resource.logicalId));
  const output = attribute === undefined ? `Ref${logicalId}` : `FnGetAtt${logicalId}${attribute}`;
  return `${stack.stackName}:ExportsOutput${output}[0-9A-F]{8}`;
}

/** The value of a resource of another stack, as a monitoring template imports it. */
function imported(construct: IConstruct, attribute?: string): unknown {
  return {
    'Fn::ImportValue': expect.stringMatching(
      new RegExp(`^${exportName(construct, attribute)}$`),
    ) as unknown,
  };
}

/** The same import inside the dashboard body, as {@link dashboardWidgets} writes it. */
function importedInBody(construct: IConstruct, attribute?: string): unknown {
  return expect.stringMatching(new RegExp(`^<import ${exportName(construct, attribute)}>$`));
}

interface Widget {
  readonly type: string;
  readonly properties: { readonly title?: string; readonly metrics?: readonly unknown[][] };
}

/** A token of the dashboard body as {@link dashboardWidgets} writes it (no quote in it). */
function placeholder(part: unknown): string {
  if (typeof part === 'string') return part;
  const token = part as Json;
  const imported = token['Fn::ImportValue'];
  if (typeof imported === 'string') return `<import ${imported}>`;
  const ref = token['Ref'];
  if (typeof ref === 'string') return `<ref ${ref}>`;
  const getAtt = token['Fn::GetAtt'];
  if (Array.isArray(getAtt)) return `<getatt ${getAtt.join('.')}>`;
  throw new Error(`unexpected token in the dashboard body: ${JSON.stringify(part)}`);
}

/** The dashboard's widgets, parsed, each token in them as `<import …>`, `<ref …>`, `<getatt …>`. */
function dashboardWidgets(template: Template): readonly Widget[] {
  const dashboards = Object.values(
    template.findResources('AWS::CloudWatch::Dashboard') as Resources,
  );
  expect(dashboards).toHaveLength(1);
  const body = dashboards[0]?.Properties['DashboardBody'] as
    string | { 'Fn::Join': [string, unknown[]] };
  const text = typeof body === 'string' ? body : body['Fn::Join'][1].map(placeholder).join('');
  return (JSON.parse(text) as { widgets: Widget[] }).widgets;
}

/**
 * The dashboard body charts each metric, given by the leading fields of its metric array
 * (namespace, name, then dimension names and values) as the body's JSON string spells them.
 */
function expectCharts(body: string, metrics: readonly (readonly string[])[]): void {
  for (const fields of metrics)
    expect(body).toContain(fields.map((field) => `\\"${field}\\"`).join(','));
}

/** The metrics of the one graph with this title. */
function graphMetrics(widgets: readonly Widget[], title: string): readonly unknown[][] {
  const found = widgets.filter((w) => w.type === 'metric' && w.properties.title === title);
  expect(found).toHaveLength(1);
  return found[0]?.properties.metrics ?? [];
}

function dashboardBody(template: Template): string {
  const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
  expect(dashboards).toHaveLength(1);
  return JSON.stringify(dashboards[0]?.['Properties']);
}

function queries(template: Template): Record<string, Json> {
  const found = template.findResources('AWS::Logs::QueryDefinition') as Resources;
  return Object.fromEntries(
    Object.values(found).map((r) => [String(r.Properties['Name']), r.Properties]),
  );
}

/** The fixture's region stacks, plus a monitoring stack built directly with every optional prop. */
function withDirectStack(config: TaskflowConfig): {
  app: App;
  regionStacks: RegionStacks;
  direct: MonitoringStack;
} {
  const { app, stacks } = synthFixture(config, true);
  const regionStacks = regionAt(stacks, 0);
  const env = { account: '111111111111', region: regionStacks.region };
  const queues = new Stack(app, 'taskflow-dev-queues', { env });
  const dlq = new DeadLetterQueue(queues, 'ProcessorDeadLetters', {
    config,
    holds: 'task commands the processor could not apply',
  });
  Validations.of(dlq.queue).acknowledge({
    id: 'AwsSolutions::AwsSolutions-SQS3',
    reason: 'A dead-letter queue itself: nothing moves its messages further',
  });
  const accessLogs = new logs.LogGroup(queues, 'RestAccessLogs', {
    retention: logs.RetentionDays.ONE_WEEK,
  });
  const direct = new MonitoringStack(app, 'taskflow-dev-monitoring-direct', {
    config,
    env,
    foundation: regionStacks.foundation,
    api: regionStacks.api,
    realtime: regionStacks.realtime,
    processor: { functions: regionStacks.processor.functions, deadLetterQueues: [dlq.queue] },
    relay: regionStacks.relay,
    apis: DIRECT_APIS,
    rules: DIRECT_RULES,
    accessLogGroup: accessLogs,
  });
  return { app, regionStacks, direct };
}

describe('MonitoringStack, dev, aurora-postgresql, one region', () => {
  const config = getTestConfig();
  const { app, regionStacks, direct } = withDirectStack(config);
  const template = Template.fromStack(regionStacks.monitoring);
  const directTemplate = Template.fromStack(direct);
  const { api, realtime, processor, relay } = regionStacks;
  /** The region's dead-letter queues, as their alarms name them (`<app>-<key>`). */
  const FIXTURE_QUEUES = [
    [
      'realtime-broadcast-delivery-dead-letters-queue',
      realtime.broadcast.deliveryDeadLetters.queue,
    ],
    ['realtime-broadcast-failure-dead-letters-queue', realtime.broadcast.failureDeadLetters.queue],
    ['processor-inbound-dead-letters-queue', processor.inboundDeadLetters.queue],
    ['processor-processor-failures-queue', processor.processorFailures.queue],
    ['processor-published-events-dead-letters-queue', processor.publishedEventsDeadLetters.queue],
    ['relay-missed-runs-queue', relay.missedRuns.queue],
  ] as const;
  /** The rules on the Taskflow bus, by the label that names their alarms. */
  const FIXTURE_RULES = [
    ['inbound-task-commands', processor.inboundRule],
    ['published-events', processor.publishedEventsRule],
    ['broadcast', realtime.broadcast.rule],
  ] as const;
  /** The REST API's metric dimensions: its literal name, its stage imported from the api stack. */
  const REST_DIMENSIONS: readonly Json[] = [
    { Name: 'ApiName', Value: 'taskflow-dev-api' },
    { Name: 'Stage', Value: imported(api.restApi.stage) },
  ];

  it('is cdk-nag clean, the directly built stack included', () => {
    expectNagClean(app);
  });

  it.each<[string, string, ExpectedAlarm, (dimensions: unknown) => void]>([
    [
      'errors (> 5 in 10 minutes) on each live alias',
      'errors',
      {
        metric: { namespace: 'AWS/Lambda', metricName: 'Errors', period: 600, statistic: 'Sum' },
        settings: {
          Threshold: 5,
          EvaluationPeriods: 1,
          ComparisonOperator: 'GreaterThanThreshold',
          TreatMissingData: 'notBreaching',
        },
      },
      expectLiveAlias,
    ],
    [
      'a p99 duration above 80 % of the function timeout (30 s -> 24 s)',
      'duration',
      {
        metric: { namespace: 'AWS/Lambda', metricName: 'Duration', period: 300, statistic: 'p99' },
        settings: {
          Threshold: 24_000,
          EvaluationPeriods: 3,
          DatapointsToAlarm: 2,
          ComparisonOperator: 'GreaterThanThreshold',
          TreatMissingData: 'notBreaching',
        },
      },
      () => undefined,
    ],
    [
      'any throttle on each live alias',
      'throttles',
      {
        metric: { metricName: 'Throttles', period: 300, statistic: 'Sum' },
        settings: ANY_DATAPOINT,
      },
      expectLiveAlias,
    ],
    [
      "concurrency above 80 % of the account's limit when nothing is reserved",
      'concurrency',
      {
        metric: {
          namespace: 'AWS/Lambda',
          metricName: 'ConcurrentExecutions',
          period: 60,
          statistic: 'Maximum',
        },
        settings: {
          Threshold: 800,
          EvaluationPeriods: 5,
          DatapointsToAlarm: 3,
          TreatMissingData: 'notBreaching',
        },
      },
      // The function's metric (FunctionName only): reserved concurrency caps every version.
      (dimensions) =>
        expect(dimensions).toEqual([{ Name: 'FunctionName', Value: expect.anything() }]),
    ],
  ])('alarms %s', (_what, suffix, expected, expectDimensions) => {
    for (const app of APPS)
      expectDimensions(expectAlarm(template, `taskflow-dev-${app}-${suffix}`, expected).dimensions);
  });

  it('counts database connection errors in every client function log, the migrator too', () => {
    const filters = Object.values(
      template.findResources('AWS::Logs::MetricFilter') as Resources,
    ).map((f) => f.Properties);
    expect(filters).toHaveLength(APPS.length + 1);
    for (const filter of filters) {
      expect(filter['FilterPattern']).toContain('"database unavailable"');
      expect(filter['FilterPattern']).toContain('"ECONNREFUSED"');
      expect(filter['MetricTransformations']).toEqual([
        {
          MetricName: CONNECTION_ERRORS_METRIC,
          MetricNamespace: 'Taskflow/taskflow-dev',
          MetricValue: '1',
          Unit: 'Count',
        },
      ]);
    }
    expect(JSON.stringify(filters)).toContain('MigratorLogGroup');
    expectAlarm(template, 'taskflow-dev-database-connection-errors', {
      metric: {
        namespace: 'Taskflow/taskflow-dev',
        metricName: CONNECTION_ERRORS_METRIC,
        period: 300,
        statistic: 'Sum',
      },
      settings: { ...ANY_DATAPOINT, EvaluationPeriods: 2, DatapointsToAlarm: 2 },
    });
  });

  it('alarms Aurora capacity at 90 % of its maximum for 15 minutes; no heartbeat when it may pause', () => {
    const { dimensions } = expectAlarm(template, 'taskflow-dev-database-capacity', {
      metric: {
        namespace: 'AWS/RDS',
        metricName: 'ACUUtilization',
        period: 300,
        statistic: 'Maximum',
      },
      settings: { ...ANY_DATAPOINT, Threshold: 90, EvaluationPeriods: 3 },
    });
    expect(JSON.stringify(dimensions)).toContain('DBClusterIdentifier');
    expect(alarmsOf(template)['taskflow-dev-database-not-reporting']).toBeUndefined();
  });

  it("alarms an outbox lag above the dev threshold (15 min), or the relay's silence", () => {
    expectAlarm(template, 'taskflow-dev-outbox-lag', {
      metric: {
        namespace: 'Taskflow/taskflow-dev',
        metricName: 'OutboxLag',
        dimensions: [{ Name: 'service', Value: 'taskflow-relay' }],
        period: 300,
        statistic: 'Maximum',
      },
      exact: true,
      settings: {
        Threshold: 900_000,
        EvaluationPeriods: 3,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'breaching',
      },
    });
  });

  it('has exactly these alarms with the real API, rules and dead-letter queues', () => {
    expect(Object.keys(alarmsOf(template)).sort()).toEqual(
      [
        ...STANDING_ALARMS,
        'taskflow-dev-api-5xx-rate',
        ...pipelineAlarms(
          FIXTURE_QUEUES.map(([name]) => name),
          FIXTURE_RULES.map(([label]) => label),
        ),
      ].sort(),
    );
  });

  it.each(FIXTURE_QUEUES)('alarms a non-empty dead-letter queue: %s', (name, queue) => {
    expectAlarm(template, `taskflow-dev-${name}-not-empty`, {
      metric: {
        namespace: 'AWS/SQS',
        metricName: 'ApproximateNumberOfMessagesVisible',
        dimensions: [{ Name: 'QueueName', Value: imported(queue, 'QueueName') }],
        period: 300,
        statistic: 'Maximum',
      },
      exact: true,
      settings: NOT_EMPTY,
    });
  });

  it.each(FIXTURE_RULES)('alarms failed and lost deliveries of the %s rule', (label, rule) => {
    expectRuleAlarms(template, label, [
      { Name: 'EventBusName', Value: imported(regionStacks.foundation.eventBus) },
      { Name: 'RuleName', Value: imported(rule) },
    ]);
    const [matched] = graphMetrics(dashboardWidgets(template), `Rule ${label}: delivery`);
    expect(matched).toEqual([
      'AWS/Events',
      'MatchedEvents',
      'EventBusName',
      importedInBody(regionStacks.foundation.eventBus),
      'RuleName',
      importedInBody(rule),
      { label: 'MatchedEvents', stat: 'Sum' },
    ]);
  });

  it('alarms the 5xx rate of the real REST API and stage', () => {
    const metrics = alarm(template, 'taskflow-dev-api-5xx-rate')['Metrics'] as {
      MetricStat?: { Metric: Json };
    }[];
    const dimensions = metrics.flatMap((m) =>
      m.MetricStat === undefined ? [] : [m.MetricStat.Metric['Dimensions']],
    );
    expect(dimensions).toEqual([REST_DIMENSIONS, REST_DIMENSIONS]);
  });

  it('charts the real REST API (name, stage) and WebSocket API (id, stage)', () => {
    const widgets = dashboardWidgets(template);
    const [restApi] = REST_DIMENSIONS;
    expect(graphMetrics(widgets, 'REST latency (ms)')[0]).toEqual([
      'AWS/ApiGateway',
      'Latency',
      'ApiName',
      restApi?.Value,
      'Stage',
      importedInBody(regionStacks.api.restApi.stage),
      { label: 'p50', stat: 'p50' },
    ]);
    expect(graphMetrics(widgets, 'WebSocket connections and messages')[0]).toEqual([
      'AWS/ApiGateway',
      'ConnectCount',
      'ApiId',
      importedInBody(regionStacks.realtime.webSocketApi),
      'Stage',
      'dev',
      { label: 'connects', stat: 'Sum' },
    ]);
  });

  it('names the dashboard after project, stage and region, and outputs its URL', () => {
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', {
      DashboardName: 'taskflow-dev-us-east-1',
    });
    template.hasOutput('DashboardUrl', {
      Value:
        'https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards:name=taskflow-dev-us-east-1',
    });
    const body = dashboardBody(template);
    for (const section of [
      '## API',
      '## Lambda',
      '## Events',
      '## Outbox',
      '## Dead-letter',
      '## Database',
    ])
      expect(body).toContain(section);
    for (const app of APPS) expect(body).toContain(`${app}: concurrent executions`);
    expectCharts(body, [
      ['AWS/Lambda', 'Invocations'],
      ['AWS/Lambda', 'Throttles'],
      ['AWS/Lambda', 'ConcurrentExecutions'],
      ['Taskflow/taskflow-dev', 'OutboxLag', 'service', 'taskflow-relay'],
      ['Taskflow/taskflow-dev', 'PublishFailures', 'service', 'taskflow-api'],
      ['Taskflow/taskflow-dev', 'EventsRejected', 'service', 'taskflow-processor'],
      ['Taskflow/taskflow-dev', 'BroadcastFailed', 'service', 'taskflow-broadcaster'],
      ['AWS/RDS', 'ServerlessDatabaseCapacity', 'DBClusterIdentifier'],
      ['AWS/RDS', 'DatabaseConnections', 'DBClusterIdentifier'],
    ]);
    // The APIs, the rules and the dead-letter queues are all wired: no placeholder note.
    expect(body).not.toContain('wired to this dashboard yet');
  });

  it('saves the three Logs Insights queries over the right log groups, the REST access log', () => {
    const saved = queries(template);
    expect(Object.keys(saved).sort()).toEqual([
      'taskflow-dev/errors-by-correlation-id',
      'taskflow-dev/rejected-events',
      'taskflow-dev/slowest-requests',
    ]);
    const errors = saved['taskflow-dev/errors-by-correlation-id'] ?? {};
    expect(errors['LogGroupNames']).toHaveLength(APPS.length + 1);
    expect(errors['QueryString']).toContain('level = "ERROR"');
    expect(errors['QueryString']).toContain('by correlation_id, service');
    const slowest = saved['taskflow-dev/slowest-requests'] ?? {};
    // The REST stage's access log, imported from the api stack (not the api function's log).
    expect(slowest['LogGroupNames']).toEqual([imported(regionStacks.api.restApi.accessLogGroup)]);
    expect(slowest['QueryString']).toContain('sort responseLatency desc');
    const rejected = saved['taskflow-dev/rejected-events'] ?? {};
    expect(JSON.stringify(rejected['LogGroupNames'])).toContain('ProcessorLogGroup');
    expect(rejected['QueryString']).toContain('"retryable":false');
    expect(rejected['QueryString']).toContain('code');
  });

  it('directly built: alarms a non-empty dead-letter queue', () => {
    const queueAlarm = 'taskflow-dev-processor-processor-dead-letters-queue-not-empty';
    const { dimensions } = expectAlarm(directTemplate, queueAlarm, {
      metric: {
        namespace: 'AWS/SQS',
        metricName: 'ApproximateNumberOfMessagesVisible',
        period: 300,
        statistic: 'Maximum',
      },
      settings: NOT_EMPTY,
    });
    expect(JSON.stringify(dimensions)).toContain('QueueName');
    const body = dashboardBody(directTemplate);
    expect(body).toContain('processor processor-dead-letters-queue: dead letters');
    expect(body).toContain('ApproximateAgeOfOldestMessage');
  });

  it.each(DIRECT_RULES)(
    'directly built: alarms failed and lost deliveries of rule $label',
    (rule) => {
      expectRuleAlarms(directTemplate, rule.label, [
        { Name: 'EventBusName', Value: rule.busName },
        { Name: 'RuleName', Value: rule.ruleName },
      ]);
      const body = dashboardBody(directTemplate);
      expect(body).toContain(`Rule ${rule.label}: delivery`);
      expectCharts(body, [['AWS/Events', 'MatchedEvents', 'EventBusName']]);
    },
  );

  it('directly built: alarms the REST 5xx rate (dev: > 5 % with at least 10 requests)', () => {
    const props = alarm(directTemplate, 'taskflow-dev-api-5xx-rate');
    const metrics = props['Metrics'] as Json[];
    const expression = metrics.find((m) => m['Expression'] !== undefined);
    expect(expression).toMatchObject({
      Expression: 'IF(requests >= 10, 100 * errors / requests, 0)',
      ReturnData: true,
    });
    for (const [id, metricName] of [
      ['errors', '5XXError'],
      ['requests', 'Count'],
    ])
      expect(metrics).toContainEqual({
        Id: id,
        ReturnData: false,
        MetricStat: {
          Metric: {
            Namespace: 'AWS/ApiGateway',
            MetricName: metricName,
            Dimensions: [
              { Name: 'ApiName', Value: DIRECT_APIS.restApiName },
              { Name: 'Stage', Value: DIRECT_APIS.restStage },
            ],
          },
          Period: 300,
          Stat: 'Sum',
        },
      });
    expectAlarmSettings(props, {
      Threshold: 5,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it('directly built: charts REST latency, 4xx, 5xx and the WebSocket API', () => {
    const body = dashboardBody(directTemplate);
    expectCharts(body, [
      ['AWS/ApiGateway', 'Latency', 'ApiName', 'taskflow-dev-api', 'Stage', 'v1'],
      ['AWS/ApiGateway', '4XXError', 'ApiName'],
      ['AWS/ApiGateway', '5XXError', 'ApiName'],
      ['AWS/ApiGateway', 'ConnectCount', 'ApiId', 'abc123defg', 'Stage', 'live'],
      ['AWS/ApiGateway', 'IntegrationError', 'ApiId'],
    ]);
    expect(body).not.toContain('APIs are not wired');
  });

  it('directly built: the slowest requests come from the REST access log', () => {
    const slowest = queries(directTemplate)['taskflow-dev/slowest-requests'] ?? {};
    expect(JSON.stringify(slowest['LogGroupNames'])).toContain('RestAccessLogs');
    expect(slowest['QueryString']).toContain('sort responseLatency desc');
    expect(Object.keys(REST_ACCESS_LOG_FIELDS)).toEqual(
      expect.arrayContaining(['requestId', 'responseLatency', 'integrationLatency']),
    );
  });

  it('directly built: has exactly the alarms of its props, each notifying the alarm topic', () => {
    const all = alarmsOf(directTemplate);
    expect(Object.keys(all).sort()).toEqual(
      [
        ...STANDING_ALARMS,
        'taskflow-dev-api-5xx-rate',
        ...pipelineAlarms(
          [
            ...FIXTURE_QUEUES.map(([name]) => name).filter((q) => !q.startsWith('processor-')),
            'processor-processor-dead-letters-queue',
          ],
          DIRECT_RULES.map((r) => r.label),
        ),
      ].sort(),
    );
    for (const props of Object.values(all)) expectNotifiesTopic(props);
  });
});

describe('MonitoringStack, prod, aurora-postgresql, one region', () => {
  const config = resolveConfig('prod', 'aurora-postgresql', { account: '111111111111' });
  const { app, stacks } = synthFixture(config, true);
  const template = Template.fromStack(regionAt(stacks, 0).monitoring);

  it('is cdk-nag clean', () => {
    expectNagClean(app);
  });

  it('alarms concurrency above 80 % of the reserved concurrency (100 -> 80)', () => {
    for (const app of APPS)
      expect(alarm(template, `taskflow-prod-${app}-concurrency`)['Threshold']).toBe(80);
  });

  it('alarms a cluster that stops reporting (it never pauses in prod)', () => {
    expectAlarm(template, 'taskflow-prod-database-not-reporting', {
      metric: {
        namespace: 'AWS/RDS',
        metricName: 'DatabaseConnections',
        period: 300,
        statistic: 'SampleCount',
      },
      settings: {
        Threshold: 1,
        EvaluationPeriods: 3,
        ComparisonOperator: 'LessThanThreshold',
        TreatMissingData: 'breaching',
      },
    });
  });

  it('uses the prod outbox lag threshold (5 min) and charts RDS Proxy', () => {
    expect(alarm(template, 'taskflow-prod-outbox-lag')['Threshold']).toBe(300_000);
    const body = dashboardBody(template);
    expectCharts(body, [
      ['AWS/RDS', 'ClientConnections', 'ProxyName'],
      ['AWS/RDS', 'DatabaseConnectionsBorrowLatency', 'ProxyName'],
    ]);
  });
});

describe('MonitoringStack, dev, dsql, one region', () => {
  const config = getTestConfig({}, 'dsql');
  const { app, stacks } = synthFixture(config, true);
  const template = Template.fromStack(regionAt(stacks, 0).monitoring);

  it('is cdk-nag clean', () => {
    expectNagClean(app);
  });

  it('watches connectivity through the function logs alone, and charts DSQL', () => {
    const names = Object.keys(alarmsOf(template));
    expect(names).toContain('taskflow-dev-database-connection-errors');
    expect(names).not.toContain('taskflow-dev-database-capacity');
    expect(names).not.toContain('taskflow-dev-database-not-reporting');
    template.resourceCountIs('AWS::Logs::MetricFilter', APPS.length + 1);
    const body = dashboardBody(template);
    const dsqlMetrics = [
      'TotalTransactions',
      'QueryTimeouts',
      'OccConflicts',
      'CommitLatency',
      'TotalDPU',
    ];
    expectCharts(
      body,
      dsqlMetrics.map((metric) => ['AWS/AuroraDSQL', metric, 'ClusterId']),
    );
    expect(body).not.toContain('AWS/RDS');
  });
});

describe.each(['aurora-postgresql', 'dsql'] as const)(
  'MonitoringStack, two regions, %s',
  (engine) => {
    const config = getTestConfig({ multiRegion: true }, engine);
    const { app, stacks } = synthFixture(config, true);

    it('is cdk-nag clean', () => {
      expectNagClean(app);
    });

    it.each([0, 1])('region %i: its own dashboard, alarms on its own topic', (index) => {
      const stacksOfRegion = regionAt(stacks, index);
      const template = Template.fromStack(stacksOfRegion.monitoring);
      const name = `taskflow-dev-${stacksOfRegion.region}`;
      template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: name });
      template.hasOutput('DashboardUrl', {
        Value: `https://${stacksOfRegion.region}.console.aws.amazon.com/cloudwatch/home?region=${stacksOfRegion.region}#dashboards:name=${name}`,
      });
      for (const props of Object.values(alarmsOf(template))) {
        expect(props['AlarmActions']).toEqual([
          {
            'Fn::ImportValue': expect.stringContaining(
              `foundation-${stacksOfRegion.region}:`,
            ) as unknown,
          },
        ]);
        expectNotifiesTopic(props);
      }
      // A global database's clusters never pause: both regions watch for a silent cluster.
      if (engine === 'aurora-postgresql')
        expect(alarmsOf(template)['taskflow-dev-database-not-reporting']).toBeDefined();
    });
  },
);

describe('PipelineAlarms, rule labels', () => {
  const config = getTestConfig();
  const build = (labels: readonly string[]): PipelineAlarms =>
    new PipelineAlarms(new Stack(), 'Pipeline', {
      config,
      queues: [],
      rules: labels.map((label) => ({ label, ruleName: 'r', busName: 'b' })),
      namePrefix: 'taskflow-dev',
    });

  it('takes literal, unique kebab-case labels', () => {
    expect(build(['inbound-task-commands', 'broadcast']).ruleAlarms).toHaveLength(4);
  });

  it.each([
    ['not kebab-case', ['Inbound Commands']],
    ['a token (a deployed rule name)', [Token.asString({ Ref: 'InboundRule' })]],
    ['used twice', ['broadcast', 'broadcast']],
  ])('rejects a label that is %s', (_what, labels) => {
    expect(() => build(labels)).toThrow(/label/);
  });
});
