import { type App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { TaskflowConfig } from '../config/config.schema';
import { getTestConfig, resolveConfig } from '../config/presets';
import { CONNECTION_ERRORS_METRIC } from '../constructs/alarm-database.construct';
import { DeadLetterQueue } from '../constructs/dead-letter-queue.construct';
import { REST_ACCESS_LOG_FIELDS } from '../constructs/monitoring-queries.construct';
import { synthFixture } from '../testing/synth-fixture';
import type { RegionStacks } from '../taskflow-app';
import { MonitoringStack } from './monitoring.stack';

// A whole app synthesizes (with cdk-nag) in tens of seconds on the shared 2-core machines.
jest.setTimeout(300_000);

type Json = Record<string, unknown>;
type Resources = Record<string, { Type: string; Properties: Json }>;

/** The functions every region runs behind its triggers, as the alarms name them. */
const APPS = ['api', 'ws-connect', 'ws-disconnect', 'broadcaster', 'processor', 'relay'];
const DIRECT_APIS = {
  restApiName: 'taskflow-dev-api',
  restStage: 'v1',
  webSocketApiId: 'abc123defg',
  webSocketStage: 'live',
};
const DIRECT_RULES = [
  { ruleName: 'taskflow-dev-task-commands', busName: 'taskflow-dev-events' },
  { ruleName: 'taskflow-dev-broadcast', busName: 'taskflow-dev-events' },
];

function region(stacks: { regions: readonly RegionStacks[] }, index: number): RegionStacks {
  const found = stacks.regions[index];
  if (found === undefined) throw new Error(`no region ${String(index)}`);
  return found;
}

function alarmsOf(template: Template): Record<string, Json> {
  const found = template.findResources('AWS::CloudWatch::Alarm') as Resources;
  return Object.fromEntries(
    Object.values(found).map((r) => [String(r.Properties['AlarmName']), r.Properties]),
  );
}

function alarm(template: Template, name: string): Json {
  const found = alarmsOf(template)[name];
  if (found === undefined) throw new Error(`no alarm ${name}`);
  return found;
}

/** One alarm's single metric, whichever of CloudFormation's two forms it was written in. */
function metricOf(props: Json): {
  namespace: unknown;
  metricName: unknown;
  dimensions: unknown;
  period: unknown;
  statistic: unknown;
} {
  const metrics = props['Metrics'] as { MetricStat?: Json }[] | undefined;
  if (metrics === undefined)
    return {
      namespace: props['Namespace'],
      metricName: props['MetricName'],
      dimensions: props['Dimensions'],
      period: props['Period'],
      statistic: props['Statistic'] ?? props['ExtendedStatistic'],
    };
  const stat = metrics[0]?.MetricStat;
  if (stat === undefined || metrics.length !== 1) throw new Error('not a single-metric alarm');
  const metric = stat['Metric'] as Json;
  return {
    namespace: metric['Namespace'],
    metricName: metric['MetricName'],
    dimensions: metric['Dimensions'],
    period: stat['Period'],
    statistic: stat['Stat'],
  };
}

/** The alarm topic of a region's foundation, as the monitoring stack imports it. */
const TOPIC: unknown = expect.objectContaining({
  'Fn::ImportValue': expect.stringMatching(/foundation-.*AlarmTopic/),
});

function expectNotifiesTopic(props: Json): void {
  expect(props['AlarmActions']).toEqual([TOPIC]);
  expect(props['OKActions']).toEqual([TOPIC]);
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

/** cdk-nag runs as a validation plugin of the app: an unacknowledged finding fails synth. */
function expectNagClean(app: App): void {
  expect(() => app.synth({ force: true })).not.toThrow();
}

/** The fixture's region stacks, plus a monitoring stack built directly with every optional prop. */
function withDirectStack(config: TaskflowConfig): {
  app: App;
  regionStacks: RegionStacks;
  direct: MonitoringStack;
} {
  const { app, stacks } = synthFixture(config, true);
  const regionStacks = region(stacks, 0);
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

  it('is cdk-nag clean, the directly built stack included', () => {
    expectNagClean(app);
  });

  it('alarms errors (> 5 in 10 minutes) on each live alias', () => {
    for (const app of APPS) {
      const props = alarm(template, `taskflow-dev-${app}-errors`);
      const metric = metricOf(props);
      expect(metric).toMatchObject({
        namespace: 'AWS/Lambda',
        metricName: 'Errors',
        period: 600,
        statistic: 'Sum',
      });
      expect(JSON.stringify(metric.dimensions)).toContain(':live');
      expect(props).toMatchObject({
        Threshold: 5,
        EvaluationPeriods: 1,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
      });
      expectNotifiesTopic(props);
    }
  });

  it('alarms a p99 duration above 80 % of the function timeout (30 s -> 24 s)', () => {
    for (const app of APPS) {
      const props = alarm(template, `taskflow-dev-${app}-duration`);
      expect(metricOf(props)).toMatchObject({
        namespace: 'AWS/Lambda',
        metricName: 'Duration',
        period: 300,
        statistic: 'p99',
      });
      expect(props).toMatchObject({
        Threshold: 24_000,
        EvaluationPeriods: 3,
        DatapointsToAlarm: 2,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
      });
      expectNotifiesTopic(props);
    }
  });

  it('alarms any throttle on each live alias', () => {
    for (const app of APPS) {
      const props = alarm(template, `taskflow-dev-${app}-throttles`);
      const metric = metricOf(props);
      expect(metric).toMatchObject({ metricName: 'Throttles', period: 300, statistic: 'Sum' });
      expect(JSON.stringify(metric.dimensions)).toContain(':live');
      expect(props).toMatchObject({
        Threshold: 1,
        EvaluationPeriods: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
      expectNotifiesTopic(props);
    }
  });

  it("alarms concurrency above 80 % of the account's limit when nothing is reserved", () => {
    for (const app of APPS) {
      const props = alarm(template, `taskflow-dev-${app}-concurrency`);
      const metric = metricOf(props);
      expect(metric).toMatchObject({
        namespace: 'AWS/Lambda',
        metricName: 'ConcurrentExecutions',
        period: 60,
        statistic: 'Maximum',
      });
      // The function's metric (FunctionName only): reserved concurrency caps every version.
      expect(metric.dimensions).toEqual([{ Name: 'FunctionName', Value: expect.anything() }]);
      expect(props).toMatchObject({
        Threshold: 800,
        EvaluationPeriods: 5,
        DatapointsToAlarm: 3,
        TreatMissingData: 'notBreaching',
      });
      expectNotifiesTopic(props);
    }
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
    const props = alarm(template, 'taskflow-dev-database-connection-errors');
    expect(metricOf(props)).toMatchObject({
      namespace: 'Taskflow/taskflow-dev',
      metricName: CONNECTION_ERRORS_METRIC,
      period: 300,
      statistic: 'Sum',
    });
    expect(props).toMatchObject({
      Threshold: 1,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    expectNotifiesTopic(props);
  });

  it('alarms Aurora capacity at 90 % of its maximum for 15 minutes; no heartbeat when it may pause', () => {
    const props = alarm(template, 'taskflow-dev-database-capacity');
    const metric = metricOf(props);
    expect(metric).toMatchObject({
      namespace: 'AWS/RDS',
      metricName: 'ACUUtilization',
      period: 300,
      statistic: 'Maximum',
    });
    expect(JSON.stringify(metric.dimensions)).toContain('DBClusterIdentifier');
    expect(props).toMatchObject({
      Threshold: 90,
      EvaluationPeriods: 3,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    expectNotifiesTopic(props);
    expect(alarmsOf(template)['taskflow-dev-database-not-reporting']).toBeUndefined();
  });

  it("alarms an outbox lag above the dev threshold (15 min), or the relay's silence", () => {
    const props = alarm(template, 'taskflow-dev-outbox-lag');
    expect(metricOf(props)).toEqual({
      namespace: 'Taskflow',
      metricName: 'OutboxLag',
      dimensions: [{ Name: 'service', Value: 'taskflow-relay' }],
      period: 300,
      statistic: 'Maximum',
    });
    expect(props).toMatchObject({
      Threshold: 900_000,
      EvaluationPeriods: 3,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'breaching',
    });
    expectNotifiesTopic(props);
  });

  it('has exactly these alarms with today’s stacks (no API, rule or queue yet)', () => {
    expect(Object.keys(alarmsOf(template)).sort()).toEqual(
      [
        ...APPS.flatMap((a) =>
          ['errors', 'duration', 'throttles', 'concurrency'].map((w) => `taskflow-dev-${a}-${w}`),
        ),
        'taskflow-dev-database-connection-errors',
        'taskflow-dev-database-capacity',
        'taskflow-dev-outbox-lag',
      ].sort(),
    );
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
    for (const metric of [
      '\\"AWS/Lambda\\",\\"Invocations\\"',
      '\\"AWS/Lambda\\",\\"Throttles\\"',
      '\\"AWS/Lambda\\",\\"ConcurrentExecutions\\"',
      '\\"Taskflow\\",\\"OutboxLag\\",\\"service\\",\\"taskflow-relay\\"',
      '\\"Taskflow\\",\\"PublishFailures\\",\\"service\\",\\"taskflow-api\\"',
      '\\"Taskflow\\",\\"EventsRejected\\",\\"service\\",\\"taskflow-processor\\"',
      '\\"Taskflow\\",\\"BroadcastFailed\\",\\"service\\",\\"taskflow-broadcaster\\"',
      '\\"AWS/RDS\\",\\"ServerlessDatabaseCapacity\\",\\"DBClusterIdentifier\\"',
      '\\"AWS/RDS\\",\\"DatabaseConnections\\",\\"DBClusterIdentifier\\"',
    ])
      expect(body).toContain(metric);
    expect(body).toContain('not wired to this dashboard yet');
  });

  it('saves the three Logs Insights queries over the right log groups', () => {
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
    expect(JSON.stringify(slowest['LogGroupNames'])).toContain('ApiLogGroup');
    expect(slowest['QueryString']).toContain('sort durationMs desc');
    const rejected = saved['taskflow-dev/rejected-events'] ?? {};
    expect(JSON.stringify(rejected['LogGroupNames'])).toContain('ProcessorLogGroup');
    expect(rejected['QueryString']).toContain('"retryable":false');
    expect(rejected['QueryString']).toContain('code');
  });

  it('directly built: alarms a non-empty dead-letter queue', () => {
    const props = alarm(
      directTemplate,
      'taskflow-dev-processor-processor-dead-letters-queue-not-empty',
    );
    const metric = metricOf(props);
    expect(metric).toMatchObject({
      namespace: 'AWS/SQS',
      metricName: 'ApproximateNumberOfMessagesVisible',
      period: 300,
      statistic: 'Maximum',
    });
    expect(JSON.stringify(metric.dimensions)).toContain('QueueName');
    expect(props).toMatchObject({
      Threshold: 0,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
    expectNotifiesTopic(props);
    const body = dashboardBody(directTemplate);
    expect(body).toContain('processor: dead letters');
    expect(body).toContain('ApproximateAgeOfOldestMessage');
  });

  it.each(DIRECT_RULES)(
    'directly built: alarms failed and lost deliveries of rule $ruleName',
    (rule) => {
      for (const [suffix, metricName] of [
        ['failed-invocations', 'FailedInvocations'],
        ['events-lost', 'InvocationsFailedToBeSentToDlq'],
      ] as const) {
        const props = alarm(directTemplate, `taskflow-dev-rule-${rule.ruleName}-${suffix}`);
        expect(metricOf(props)).toEqual({
          namespace: 'AWS/Events',
          metricName,
          dimensions: [
            { Name: 'EventBusName', Value: rule.busName },
            { Name: 'RuleName', Value: rule.ruleName },
          ],
          period: 300,
          statistic: 'Sum',
        });
        expect(props).toMatchObject({
          Threshold: 1,
          EvaluationPeriods: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          TreatMissingData: 'notBreaching',
        });
        expectNotifiesTopic(props);
      }
      const body = dashboardBody(directTemplate);
      expect(body).toContain(`Rule ${rule.ruleName}: delivery`);
      expect(body).toContain('\\"AWS/Events\\",\\"MatchedEvents\\",\\"EventBusName\\"');
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
    expect(props).toMatchObject({
      Threshold: 5,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
    expectNotifiesTopic(props);
  });

  it('directly built: charts REST latency, 4xx, 5xx and the WebSocket API', () => {
    const body = dashboardBody(directTemplate);
    for (const metric of [
      '\\"AWS/ApiGateway\\",\\"Latency\\",\\"ApiName\\",\\"taskflow-dev-api\\",\\"Stage\\",\\"v1\\"',
      '\\"AWS/ApiGateway\\",\\"4XXError\\",\\"ApiName\\"',
      '\\"AWS/ApiGateway\\",\\"5XXError\\",\\"ApiName\\"',
      '\\"AWS/ApiGateway\\",\\"ConnectCount\\",\\"ApiId\\",\\"abc123defg\\",\\"Stage\\",\\"live\\"',
      '\\"AWS/ApiGateway\\",\\"IntegrationError\\",\\"ApiId\\"',
    ])
      expect(body).toContain(metric);
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

  it('directly built: every alarm notifies the alarm topic', () => {
    const all = Object.values(alarmsOf(directTemplate));
    expect(all).toHaveLength(Object.keys(alarmsOf(template)).length + 1 + 2 * 2 + 1);
    for (const props of all) expectNotifiesTopic(props);
  });
});

describe('MonitoringStack, prod, aurora-postgresql, one region', () => {
  const config = resolveConfig('prod', 'aurora-postgresql', { account: '111111111111' });
  const { app, stacks } = synthFixture(config, true);
  const template = Template.fromStack(region(stacks, 0).monitoring);

  it('is cdk-nag clean', () => {
    expectNagClean(app);
  });

  it('alarms concurrency above 80 % of the reserved concurrency (100 -> 80)', () => {
    for (const app of APPS)
      expect(alarm(template, `taskflow-prod-${app}-concurrency`)['Threshold']).toBe(80);
  });

  it('alarms a cluster that stops reporting (it never pauses in prod)', () => {
    const props = alarm(template, 'taskflow-prod-database-not-reporting');
    expect(metricOf(props)).toMatchObject({
      namespace: 'AWS/RDS',
      metricName: 'DatabaseConnections',
      period: 300,
      statistic: 'SampleCount',
    });
    expect(props).toMatchObject({
      Threshold: 1,
      EvaluationPeriods: 3,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
    expectNotifiesTopic(props);
  });

  it('uses the prod outbox lag threshold (5 min) and charts RDS Proxy', () => {
    expect(alarm(template, 'taskflow-prod-outbox-lag')['Threshold']).toBe(300_000);
    const body = dashboardBody(template);
    expect(body).toContain('\\"AWS/RDS\\",\\"ClientConnections\\",\\"ProxyName\\"');
    expect(body).toContain('\\"AWS/RDS\\",\\"DatabaseConnectionsBorrowLatency\\",\\"ProxyName\\"');
  });
});

describe('MonitoringStack, dev, dsql, one region', () => {
  const config = getTestConfig({}, 'dsql');
  const { app, stacks } = synthFixture(config, true);
  const template = Template.fromStack(region(stacks, 0).monitoring);

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
    for (const metric of [
      'TotalTransactions',
      'QueryTimeouts',
      'OccConflicts',
      'CommitLatency',
      'TotalDPU',
    ])
      expect(body).toContain(`\\"AWS/AuroraDSQL\\",\\"${metric}\\",\\"ClusterId\\"`);
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
      const stacksOfRegion = region(stacks, index);
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
