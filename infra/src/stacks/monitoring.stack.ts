import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { TaskflowConfig } from '../config/config.schema';
import { ApiAlarms, type MonitoredApis } from '../constructs/alarm-api.construct';
import { DatabaseAlarms, pascal } from '../constructs/alarm-database.construct';
import { FunctionAlarms } from '../constructs/alarm-function.construct';
import {
  type MonitoredQueue,
  type MonitoredRule,
  PipelineAlarms,
} from '../constructs/alarm-pipeline.construct';
import { MonitoringDashboard } from '../constructs/monitoring-dashboard.construct';
import { LogsQueries } from '../constructs/monitoring-queries.construct';
import { metricsNamespace } from '../constructs/taskflow-function.construct';
import type { MonitoredApp } from './app-stack';
import type { FoundationStack } from './foundation.stack';

export type { MonitoredApis } from '../constructs/alarm-api.construct';
export type { MonitoredRule } from '../constructs/alarm-pipeline.construct';

/** The apps a region's monitoring stack watches, in dashboard order. */
const WATCHED_APPS = ['api', 'realtime', 'processor', 'relay'] as const;

/**
 * Props of {@link MonitoringStack}: the region's foundation and app stacks (anything with
 * their functions and dead-letter queues), and, by name, the APIs, rules and access log the
 * app stacks expose.
 */
export interface MonitoringStackProps extends StackProps {
  readonly config: TaskflowConfig;
  readonly foundation: FoundationStack;
  readonly api: MonitoredApp;
  readonly realtime: MonitoredApp;
  readonly processor: MonitoredApp;
  readonly relay: MonitoredApp;
  /** The REST API and the WebSocket API of the region; without them no API section or alarm. */
  readonly apis?: MonitoredApis;
  /**
   * The EventBridge rules on the Taskflow bus (to the processor, the broadcaster and the
   * published-events log), each with a literal label that names its alarms.
   */
  readonly rules?: readonly MonitoredRule[];
  /**
   * The REST stage's access log group (fields of `REST_ACCESS_LOG_FIELDS`): the slowest
   * requests query reads it; without it, the api function's log.
   */
  readonly accessLogGroup?: logs.ILogGroup;
}

/**
 * The region's dashboard, alarms and saved Logs Insights queries. Every alarm notifies the
 * foundation's alarm topic (whose subscribers come from `alarms.emails` and
 * `alarms.httpsEndpoints`) when it fires and when it is OK again. Thresholds come from
 * `config.alarms`.
 */
export class MonitoringStack extends Stack {
  readonly dashboard: cloudwatch.Dashboard;
  readonly dashboardUrl: string;
  /** Every alarm, each with the alarm topic as its alarm and OK action. */
  readonly alarms: readonly cloudwatch.Alarm[];
  readonly functionAlarms: readonly FunctionAlarms[];
  readonly database: DatabaseAlarms;
  readonly pipeline: PipelineAlarms;
  readonly api: ApiAlarms | null;
  readonly queries: LogsQueries;

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id, props);
    const { config, foundation } = props;
    const region = Stack.of(this).region;
    const namePrefix = `${config.projectName}-${config.stage}`;
    const apps = WATCHED_APPS.map((app) => ({ app, watched: props[app] }));

    // After every stack whose resources it watches (CloudFormation would infer most of it from
    // the references; the explicit order also covers a stack referenced by name only).
    const watchedStacks = new Set<Stack>([foundation]);
    for (const { watched } of apps) {
      for (const { fn } of watched.functions) watchedStacks.add(Stack.of(fn));
      for (const queue of watched.deadLetterQueues) watchedStacks.add(Stack.of(queue));
    }
    for (const stack of watchedStacks)
      if (stack !== this) this.addStackDependency(stack, 'watches its resources');

    const functions = apps.flatMap(({ watched }) => watched.functions);
    this.functionAlarms = functions.map(
      ({ fn, live }) =>
        new FunctionAlarms(this, `${pascal(fn.app)}FunctionAlarms`, {
          config,
          fn,
          live,
          namePrefix,
        }),
    );

    // The migrator runs where the schema is written (not beside an Aurora read replica).
    const migrator = foundation.migration?.migrator;
    const clients = [
      ...functions.map(({ fn }) => fn),
      ...(migrator === undefined ? [] : [migrator]),
    ];
    this.database = new DatabaseAlarms(this, 'DatabaseAlarms', {
      config,
      database: foundation.database,
      clients: [
        ...functions.map(({ fn }) => fn),
        ...(migrator === undefined ? [] : [migrator]),
      ].map((fn) => ({
        app: fn.app,
        logGroup: fn.functionLogGroup,
      })),
      namePrefix,
      metricNamespace: metricsNamespace(config),
    });

    const queues: MonitoredQueue[] = apps.flatMap(({ app, watched }) =>
      watched.deadLetterQueues.map((queue) => ({ app, key: queueKey(queue), queue })),
    );
    const rules = props.rules ?? [];
    this.pipeline = new PipelineAlarms(this, 'PipelineAlarms', {
      config,
      queues,
      rules,
      namePrefix,
    });

    this.api =
      props.apis === undefined
        ? null
        : new ApiAlarms(this, 'RestApiAlarms', { config, apis: props.apis, namePrefix });

    this.alarms = [
      ...this.functionAlarms.flatMap((f) => f.alarms),
      ...this.database.alarms,
      ...this.pipeline.alarms,
      ...(this.api?.alarms ?? []),
    ];
    const notify = new actions.SnsAction(foundation.alarmTopic);
    for (const alarm of this.alarms) {
      alarm.addAlarmAction(notify);
      alarm.addOkAction(notify);
    }

    const dashboardName = `${namePrefix}-${region}`;
    this.dashboard = new MonitoringDashboard(this, 'Dashboard', {
      dashboardName,
      metricsNamespace: metricsNamespace(config),
      title: `Taskflow ${config.stage}, ${region}`,
      functions: functions.map(({ fn, live }, i) => {
        const alarms = this.functionAlarms[i];
        if (alarms === undefined) throw new Error(`no alarms for ${fn.app}`);
        return { fn, live, alarms };
      }),
      ...(props.apis === undefined || this.api === null
        ? {}
        : { api: { apis: props.apis, alarms: this.api } }),
      rules,
      queues,
      pipeline: this.pipeline,
      database: this.database,
      alarms: this.alarms,
    }).dashboard;

    const byApp = (app: string): logs.ILogGroup => {
      const found = functions.find(({ fn }) => fn.app === app);
      if (found === undefined) throw new Error(`no ${app} function to query the logs of`);
      return found.fn.functionLogGroup;
    };
    this.queries = new LogsQueries(this, 'Queries', {
      namePrefix,
      functionLogs: clients.map((fn) => fn.functionLogGroup),
      apiLogs: byApp('api'),
      processorLogs: byApp('processor'),
      ...(props.accessLogGroup === undefined ? {} : { accessLogs: props.accessLogGroup }),
    });

    this.dashboardUrl = `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards:name=${dashboardName}`;
    new CfnOutput(this, 'DashboardUrl', {
      description: "The region's Taskflow dashboard",
      value: this.dashboardUrl,
    });
    new CfnOutput(this, 'DashboardName', { value: dashboardName });
  }
}

/**
 * A queue's key in ids and alarm names: its construct path inside its own stack
 * (`ProcessorDeadLetters/Queue` -> `ProcessorDeadLettersQueue`), stable while the queue is.
 */
function queueKey(queue: MonitoredApp['deadLetterQueues'][number]): string {
  const stackPath = Stack.of(queue).node.path;
  const inStack = queue.node.path.startsWith(`${stackPath}/`)
    ? queue.node.path.slice(stackPath.length + 1)
    : queue.node.id;
  return pascal(inStack);
}
