import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import {
  type ApiAlarms,
  type MonitoredApis,
  restMetric,
  webSocketMetric,
} from './alarm-api.construct';
import type { DatabaseAlarms } from './alarm-database.construct';
import type { FunctionAlarms } from './alarm-function.construct';
import {
  kebab,
  type MonitoredQueue,
  type MonitoredRule,
  type PipelineAlarms,
  ruleMetric,
  taskflowMetric,
} from './alarm-pipeline.construct';
import type { LiveAlias } from './live-alias.construct';
import type { TaskflowFunction } from './taskflow-function.construct';

/** The apps whose commands publish events through the outbox (fast path, and the sweeper). */
const PUBLISHERS = ['api', 'processor', 'relay'] as const;

/** One function on the dashboard, with its alarms (their thresholds become annotations). */
export interface DashboardFunction {
  readonly fn: TaskflowFunction;
  readonly live: LiveAlias;
  readonly alarms: FunctionAlarms;
}

/** Props of {@link MonitoringDashboard}. */
export interface MonitoringDashboardProps {
  /** `<project>-<stage>-<region>`. */
  readonly dashboardName: string;
  /** Where the functions' EMF metrics are (`metricsNamespace(config)`). */
  readonly metricsNamespace: string;
  /** The headline, e.g. `Taskflow dev, us-east-1`. */
  readonly title: string;
  readonly functions: readonly DashboardFunction[];
  /** The APIs and their alarms, once the api and realtime stacks name them. */
  readonly api?: { readonly apis: MonitoredApis; readonly alarms: ApiAlarms };
  readonly rules: readonly MonitoredRule[];
  readonly queues: readonly MonitoredQueue[];
  readonly pipeline: PipelineAlarms;
  readonly database: DatabaseAlarms;
  /** Every alarm of the stack, for the status overview at the top. */
  readonly alarms: readonly cloudwatch.IAlarm[];
}

/**
 * The region's dashboard, one section per concern under a text header: alarm status, API
 * (REST latency, 4xx, 5xx and its rate; WebSocket connections, messages, errors), Lambda
 * (invocations, errors, duration, throttles, concurrency per function, with the alarm
 * thresholds drawn in), events (each rule's matched and failed invocations, the processor's
 * and broadcaster's own counts), the outbox (published, failures, lag), the dead-letter
 * queues and the database.
 */
export class MonitoringDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringDashboardProps) {
    super(scope, id);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.hours(3),
    });
    const d = this.dashboard;
    d.addWidgets(
      header(`# ${props.title}`, 'Alarms notify the alarm topic; OK notifies it too.'),
      new cloudwatch.AlarmStatusWidget({
        title: 'Alarms',
        alarms: [...props.alarms],
        width: 24,
        height: Math.min(12, 2 + Math.ceil(props.alarms.length / 4)),
      }),
    );

    d.addWidgets(header('## API', 'REST API (ApiName, Stage) and WebSocket API (ApiId, Stage).'));
    if (props.api === undefined)
      d.addWidgets(note('The REST and WebSocket APIs are not wired to this dashboard yet.'));
    else {
      const { apis, alarms } = props.api;
      d.addWidgets(
        graph('REST requests', [restMetric(apis, 'Count', 'Sum', 'requests')]),
        graph('REST 4xx and 5xx', [
          restMetric(apis, '4XXError', 'Sum', '4xx'),
          restMetric(apis, '5XXError', 'Sum', '5xx'),
        ]),
        graph(
          'REST 5xx rate (%)',
          [alarms.rate],
          [{ value: alarms.thresholdPercent, label: 'alarm' }],
        ),
        graph('REST latency (ms)', [
          restMetric(apis, 'Latency', 'p50', 'p50'),
          restMetric(apis, 'Latency', 'p99', 'p99'),
          restMetric(apis, 'IntegrationLatency', 'p99', 'integration p99'),
        ]),
      );
      d.addWidgets(
        graph('WebSocket connections and messages', [
          webSocketMetric(apis, 'ConnectCount', 'Sum', 'connects'),
          webSocketMetric(apis, 'MessageCount', 'Sum', 'messages'),
        ]),
        graph('WebSocket errors', [
          webSocketMetric(apis, 'ClientError', 'Sum', 'client (4xx)'),
          webSocketMetric(apis, 'ExecutionError', 'Sum', 'execution'),
          webSocketMetric(apis, 'IntegrationError', 'Sum', 'integration'),
        ]),
        graph('WebSocket integration latency (ms)', [
          webSocketMetric(apis, 'IntegrationLatency', 'p99', 'p99'),
        ]),
      );
    }

    d.addWidgets(
      header(
        '## Lambda',
        'Per function: the live alias (what triggers invoke); concurrency is function-wide.',
      ),
    );
    for (const { fn, live, alarms } of props.functions) {
      const alias = live.alias;
      d.addWidgets(
        graph(`${fn.app}: invocations and errors`, [
          alias.metricInvocations({ statistic: 'Sum', label: 'invocations' }),
          alias.metricErrors({ statistic: 'Sum', label: 'errors' }),
        ]),
        graph(
          `${fn.app}: duration (ms)`,
          [
            alias.metricDuration({ statistic: 'p50', label: 'p50' }),
            alias.metricDuration({ statistic: 'p99', label: 'p99' }),
            alias.metricDuration({ statistic: 'Maximum', label: 'max' }),
          ],
          [
            { value: alarms.durationThresholdMs, label: 'alarm' },
            { value: alarms.timeout.toMilliseconds(), label: 'timeout' },
          ],
        ),
        graph(`${fn.app}: throttles`, [
          alias.metricThrottles({ statistic: 'Sum', label: 'throttles' }),
        ]),
        graph(
          `${fn.app}: concurrent executions`,
          [fn.metric('ConcurrentExecutions', { statistic: 'Maximum', label: 'concurrent' })],
          [
            { value: alarms.concurrencyThreshold, label: 'alarm' },
            { value: alarms.concurrencyLimit, label: 'limit' },
          ],
        ),
      );
    }

    d.addWidgets(
      header('## Events', 'EventBridge rules (EventBusName, RuleName) and the consumers’ counts.'),
    );
    if (props.rules.length === 0)
      d.addWidgets(note('No EventBridge rule is wired to this dashboard yet.'));
    for (const rule of props.rules)
      d.addWidgets(
        graph(`Rule ${rule.label}: delivery`, [
          ruleMetric(rule, 'MatchedEvents'),
          ruleMetric(rule, 'Invocations'),
        ]),
        graph(`Rule ${rule.label}: failures`, [
          ruleMetric(rule, 'FailedInvocations'),
          ruleMetric(rule, 'InvocationsSentToDlq'),
          ruleMetric(rule, 'InvocationsFailedToBeSentToDlq'),
        ]),
      );
    d.addWidgets(
      graph(
        'Processor: events',
        ['EventsProcessed', 'EventsDuplicate', 'EventsFailed', 'EventsRejected'].map((m) =>
          taskflowMetric(props.metricsNamespace, 'processor', m, 'Sum', m),
        ),
      ),
      graph(
        'Broadcaster: deliveries',
        ['BroadcastSent', 'BroadcastGone', 'BroadcastFailed'].map((m) =>
          taskflowMetric(props.metricsNamespace, 'broadcaster', m, 'Sum', m),
        ),
      ),
    );

    d.addWidgets(header('## Outbox', 'Events published by the fast paths and the relay.'));
    d.addWidgets(
      graph(
        'Events published',
        PUBLISHERS.map((app) =>
          taskflowMetric(props.metricsNamespace, app, 'EventsPublished', 'Sum', app),
        ),
      ),
      graph(
        'Publish failures and errors',
        PUBLISHERS.flatMap((app) => [
          taskflowMetric(props.metricsNamespace, app, 'PublishFailures', 'Sum', `${app} failures`),
          taskflowMetric(props.metricsNamespace, app, 'PublishErrors', 'Sum', `${app} errors`),
        ]),
      ),
      graph(
        'Outbox lag (ms)',
        [
          taskflowMetric(
            props.metricsNamespace,
            'relay',
            'OutboxLag',
            'Maximum',
            'oldest unpublished (max)',
          ),
        ],
        [{ value: props.pipeline.outboxLagThresholdMs, label: 'alarm' }],
      ),
    );

    d.addWidgets(header('## Dead-letter queues', 'Any message is an alarm.'));
    if (props.queues.length === 0)
      d.addWidgets(note('No dead-letter queue is wired to this dashboard yet.'));
    for (const { app, key, queue } of props.queues)
      d.addWidgets(
        graph(`${app} ${kebab(key)}: dead letters`, [
          queue.metricApproximateNumberOfMessagesVisible({
            statistic: 'Maximum',
            label: 'visible',
          }),
        ]),
        graph(`${app} ${kebab(key)}: oldest dead letter (s)`, [
          queue.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', label: 'age' }),
        ]),
      );

    d.addWidgets(
      header(
        '## Database',
        props.database.engine === 'dsql'
          ? 'Aurora DSQL (AWS/AuroraDSQL, ClusterId) and the functions’ connection errors.'
          : 'Aurora Serverless v2 (AWS/RDS, DBClusterIdentifier) and the functions’ connection errors.',
      ),
    );
    d.addWidgets(
      ...props.database.graphs.map((g) => graph(g.title, g.left, g.leftAnnotations ?? [])),
    );
  }
}

function header(markdown: string, subtitle: string): cloudwatch.TextWidget {
  return new cloudwatch.TextWidget({
    markdown: `${markdown}\n${subtitle}`,
    width: 24,
    height: 2,
    background: cloudwatch.TextWidgetBackground.TRANSPARENT,
  });
}

function note(text: string): cloudwatch.TextWidget {
  return new cloudwatch.TextWidget({ markdown: text, width: 24, height: 1 });
}

function graph(
  title: string,
  left: readonly cloudwatch.IMetric[],
  leftAnnotations: readonly cloudwatch.HorizontalAnnotation[] = [],
): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({
    title,
    left: [...left],
    ...(leftAnnotations.length === 0 ? {} : { leftAnnotations: [...leftAnnotations] }),
    width: 6,
    height: 6,
  });
}
