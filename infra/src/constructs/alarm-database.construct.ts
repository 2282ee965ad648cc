import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { TaskflowConfig } from '../config/config.schema';
import { AuroraDatabase } from './aurora-database.construct';
import { AuroraSecondaryDatabase } from './aurora-secondary-database.construct';
import { DsqlDatabase } from './dsql-database.construct';
import type { ConnectableDatabase } from './taskflow-function.construct';

/** The metric the connection-error filters count into (in the deployment's own namespace). */
export const CONNECTION_ERRORS_METRIC = 'DatabaseConnectionErrors';

/**
 * What a function logs when it cannot reach the database, as a CloudWatch Logs filter pattern
 * (any one term). The api logs `database unavailable` for every such request (http-api's
 * `isUnavailable`); the other functions log the driver's error itself, uncaught or in their
 * own error line: socket errors, pg's client-side connect deadline, a connection the server
 * dropped, a full server, refused credentials (Aurora) or a refused IAM token (DSQL).
 */
export const CONNECTION_ERROR_PATTERN = logs.FilterPattern.anyTerm(
  'database unavailable',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'timeout exceeded when trying to connect',
  'Connection terminated',
  'too many clients',
  'password authentication failed',
  'access denied',
);

/** A log group of a function that connects to the database. */
export interface DatabaseClientLogs {
  /** The function's app (`api`, `migrator`...), for the filter's id. */
  readonly app: string;
  readonly logGroup: logs.ILogGroup;
}

/** Props of {@link DatabaseAlarms}. */
export interface DatabaseAlarmsProps {
  readonly config: TaskflowConfig;
  /** The foundation's database: Aurora primary, Aurora global secondary, or DSQL. */
  readonly database: ConnectableDatabase;
  /** Every function that connects to it (the migrator included). */
  readonly clients: readonly DatabaseClientLogs[];
  /** Start of every alarm name, `<project>-<stage>`. */
  readonly namePrefix: string;
  /**
   * Namespace of the metric-filter metrics: they carry no dimension (a term pattern has no
   * fields), so the namespace names the deployment, e.g. `Taskflow/taskflow-dev`.
   */
  readonly metricNamespace: string;
}

/** A graph of the dashboard's database section. */
export interface DatabaseGraph {
  readonly title: string;
  readonly left: readonly cloudwatch.IMetric[];
  readonly leftAnnotations?: readonly cloudwatch.HorizontalAnnotation[];
}

/**
 * Database connectivity, for both engines.
 *
 * For both, the functions' own view: a metric filter on each client function's log group
 * counts connection failures, and the alarm fires when they persist for 10 minutes (two
 * periods of 5 minutes with at least one each; one failed connect while an auto-paused Aurora
 * resumes is not an incident). Aurora DSQL publishes no connection metric in `AWS/AuroraDSQL`
 * (transactions, timeouts, OCC conflicts, latency, DPUs, storage), so for DSQL this is the
 * connectivity alarm.
 *
 * For Aurora, besides: capacity pinned at the configured share of its maximum ACUs for 15
 * minutes (the cluster cannot scale further: connections and queries queue), and, for a
 * cluster that never pauses, a heartbeat: `DatabaseConnections` reports every minute while
 * the writer is up, so no datapoint for 15 minutes means the cluster is not reporting
 * (missing data is breaching for this one alarm only).
 */
export class DatabaseAlarms extends Construct {
  readonly connectionErrors: cloudwatch.Alarm;
  /** Aurora only: capacity at its ceiling. */
  readonly capacity: cloudwatch.Alarm | null;
  /** Aurora with a minimum capacity above 0 only: the cluster stopped reporting. */
  readonly heartbeat: cloudwatch.Alarm | null;
  /** The graphs of the database section, engine by engine. */
  readonly graphs: readonly DatabaseGraph[];
  readonly engine: 'aurora-postgresql' | 'dsql';

  constructor(scope: Construct, id: string, props: DatabaseAlarmsProps) {
    super(scope, id);
    const { config, database, namePrefix } = props;
    const connectionErrors = new cloudwatch.Metric({
      namespace: props.metricNamespace,
      metricName: CONNECTION_ERRORS_METRIC,
      statistic: 'Sum',
      period: Duration.minutes(5),
      label: 'connection errors (function logs)',
    });
    for (const client of props.clients)
      new logs.MetricFilter(this, `${pascal(client.app)}ConnectionErrors`, {
        logGroup: client.logGroup,
        filterPattern: CONNECTION_ERROR_PATTERN,
        metricNamespace: props.metricNamespace,
        metricName: CONNECTION_ERRORS_METRIC,
        metricValue: '1',
        unit: cloudwatch.Unit.COUNT,
      });
    this.connectionErrors = new cloudwatch.Alarm(this, 'ConnectionErrors', {
      alarmName: `${namePrefix}-database-connection-errors`,
      alarmDescription:
        'Functions cannot connect to the database: connection errors in their logs in 2 consecutive periods of 5 minutes',
      metric: connectionErrors,
      threshold: 1,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const errorsGraph: DatabaseGraph = {
      title: 'Database connection errors (function logs)',
      left: [connectionErrors],
    };

    if (database instanceof DsqlDatabase) {
      this.engine = 'dsql';
      this.capacity = null;
      this.heartbeat = null;
      const dsql = (metricName: string, statistic: string, label: string): cloudwatch.Metric =>
        new cloudwatch.Metric({
          namespace: 'AWS/AuroraDSQL',
          metricName,
          dimensionsMap: { ClusterId: database.cluster.attrIdentifier },
          statistic,
          period: Duration.minutes(5),
          label,
        });
      this.graphs = [
        {
          title: 'DSQL transactions',
          left: [
            dsql('TotalTransactions', 'Sum', 'total'),
            dsql('ReadOnlyTransactions', 'Sum', 'read-only'),
          ],
        },
        {
          title: 'DSQL query timeouts and OCC conflicts',
          left: [
            dsql('QueryTimeouts', 'Sum', 'query timeouts'),
            dsql('OccConflicts', 'Sum', 'OCC conflicts (retried)'),
          ],
        },
        { title: 'DSQL commit latency (ms)', left: [dsql('CommitLatency', 'Average', 'commit')] },
        { title: 'DSQL DPUs', left: [dsql('TotalDPU', 'Sum', 'total DPU')] },
        errorsGraph,
      ];
      return;
    }

    if (!(database instanceof AuroraDatabase || database instanceof AuroraSecondaryDatabase))
      throw new Error('DatabaseAlarms: unknown database construct');
    if (config.database.engine !== 'aurora-postgresql')
      throw new Error('DatabaseAlarms: an Aurora database with a non-Aurora configuration');
    this.engine = 'aurora-postgresql';
    const aurora = config.database;
    const clusterId =
      database instanceof AuroraDatabase
        ? database.cluster.clusterIdentifier
        : database.cluster.ref;
    const rds = (metricName: string, statistic: string, label: string): cloudwatch.Metric =>
      new cloudwatch.Metric({
        namespace: 'AWS/RDS',
        metricName,
        dimensionsMap: { DBClusterIdentifier: clusterId },
        statistic,
        period: Duration.minutes(5),
        label,
      });

    const capacityPercent = config.alarms.databaseCapacityPercent;
    this.capacity = new cloudwatch.Alarm(this, 'Capacity', {
      alarmName: `${namePrefix}-database-capacity`,
      alarmDescription: `Aurora at ${String(capacityPercent)} % or more of its ${String(aurora.maxCapacity)} ACUs for 15 minutes: it cannot scale further`,
      metric: rds('ACUUtilization', 'Maximum', 'ACU utilization (%)'),
      threshold: capacityPercent,
      evaluationPeriods: 3,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // An auto-paused cluster reports nothing, and that is not a full one.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    // An auto-paused cluster (minimum 0 ACUs) stops reporting by design: no heartbeat then.
    this.heartbeat =
      aurora.minCapacity > 0
        ? new cloudwatch.Alarm(this, 'Heartbeat', {
            alarmName: `${namePrefix}-database-not-reporting`,
            alarmDescription:
              'Aurora reported no DatabaseConnections datapoint for 15 minutes: the cluster is down or unreachable',
            metric: rds('DatabaseConnections', 'SampleCount', 'datapoints'),
            threshold: 1,
            evaluationPeriods: 3,
            comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
            treatMissingData: cloudwatch.TreatMissingData.BREACHING,
          })
        : null;

    const graphs: DatabaseGraph[] = [
      {
        title: 'Aurora capacity (ACUs)',
        left: [
          rds('ServerlessDatabaseCapacity', 'Average', 'capacity (average)'),
          rds('ServerlessDatabaseCapacity', 'Maximum', 'capacity (max)'),
        ],
        leftAnnotations: [{ value: aurora.maxCapacity, label: 'maximum ACUs' }],
      },
      {
        title: 'Aurora ACU utilization (%)',
        left: [rds('ACUUtilization', 'Maximum', 'ACU utilization (max)')],
        leftAnnotations: [{ value: capacityPercent, label: 'alarm' }],
      },
      {
        title: 'Aurora connections',
        left: [rds('DatabaseConnections', 'Maximum', 'connections (max)')],
      },
    ];
    const proxy = database instanceof AuroraDatabase ? database.proxy : null;
    if (proxy !== null) {
      const proxyMetric = (metricName: string, statistic: string, label: string) =>
        new cloudwatch.Metric({
          namespace: 'AWS/RDS',
          metricName,
          dimensionsMap: { ProxyName: proxy.dbProxyName },
          statistic,
          period: Duration.minutes(5),
          label,
        });
      graphs.push({
        title: 'RDS Proxy connections',
        left: [
          proxyMetric('ClientConnections', 'Maximum', 'client connections'),
          proxyMetric('DatabaseConnections', 'Maximum', 'database connections'),
        ],
      });
      graphs.push({
        title: 'RDS Proxy borrow latency (µs)',
        left: [proxyMetric('DatabaseConnectionsBorrowLatency', 'p99', 'borrow latency p99')],
      });
    }
    graphs.push(errorsGraph);
    this.graphs = graphs;
  }

  /** Every alarm of the engine. */
  get alarms(): readonly cloudwatch.Alarm[] {
    return [this.connectionErrors, this.capacity, this.heartbeat].filter(
      (a): a is cloudwatch.Alarm => a !== null,
    );
  }
}

/** `ws-connect` -> `WsConnect`. */
export function pascal(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part.length > 0)
    .map((part) => `${part.charAt(0).toUpperCase()}${part.slice(1)}`)
    .join('');
}
