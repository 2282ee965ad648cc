import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/**
 * The REST access-log fields the slowest-requests query reads, as API Gateway `$context`
 * variables: the api stack's stage can log exactly these with
 * `AccessLogFormat.custom(JSON.stringify(REST_ACCESS_LOG_FIELDS))`.
 */
export const REST_ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  httpMethod: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  path: '$context.path',
  status: '$context.status',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  ip: '$context.identity.sourceIp',
} as const;

/** Props of {@link LogsQueries}. */
export interface LogsQueriesProps {
  /** Start of every query name, `<project>-<stage>`: the console groups them by it. */
  readonly namePrefix: string;
  /** Every Taskflow function's log group of the region (the migrator's included). */
  readonly functionLogs: readonly logs.ILogGroup[];
  /** The api function's log group. */
  readonly apiLogs: logs.ILogGroup;
  /** The processor function's log group. */
  readonly processorLogs: logs.ILogGroup;
  /** The REST stage's access log group (JSON of {@link REST_ACCESS_LOG_FIELDS}), when it has one. */
  readonly accessLogs?: logs.ILogGroup;
}

/**
 * Saved CloudWatch Logs Insights queries over the functions' Powertools JSON logs (fields
 * `level`, `message`, `service`, `correlation_id`, `error.message`; Lambda's own JSON lines for
 * an uncaught error carry `errorType` and `errorMessage`):
 *
 * - errors by correlation id: every ERROR line of every function, grouped by the request or
 *   event it belongs to (the api's X-Request-Id / API Gateway request id, the processor's and
 *   broadcaster's EventBridge event id), so one failing request reads as one row;
 * - slowest requests: the REST access log's `responseLatency` when the stage logs there, else
 *   the api function's `request` lines, slowest first;
 * - rejected events: the processor's `event not processed` lines with `retryable` false (a bad
 *   command: it will never succeed on retry), with their `code` and reason.
 */
export class LogsQueries extends Construct {
  readonly errorsByCorrelationId: logs.QueryDefinition;
  readonly slowestRequests: logs.QueryDefinition;
  readonly rejectedEvents: logs.QueryDefinition;

  constructor(scope: Construct, id: string, props: LogsQueriesProps) {
    super(scope, id);
    const query = (
      queryId: string,
      what: string,
      logGroups: readonly logs.ILogGroup[],
      queryString: logs.QueryStringProps,
    ): logs.QueryDefinition =>
      new logs.QueryDefinition(this, queryId, {
        queryDefinitionName: `${props.namePrefix}/${what}`,
        logGroups: [...logGroups],
        queryString: new logs.QueryString(queryString),
      });

    this.errorsByCorrelationId = query(
      'ErrorsByCorrelationId',
      'errors-by-correlation-id',
      props.functionLogs,
      {
        fields: [
          '@timestamp',
          'service',
          'correlation_id',
          'coalesce(error.message, reason, errorMessage, message) as detail',
        ],
        filterStatements: ['level = "ERROR" or level = "FATAL"'],
        statsStatements: [
          'count(*) as errors, earliest(@timestamp) as first, latest(@timestamp) as last, latest(detail) as lastError by correlation_id, service',
        ],
        sort: 'errors desc',
        limit: 100,
      },
    );

    const access = props.accessLogs;
    this.slowestRequests =
      access === undefined
        ? query('SlowestRequests', 'slowest-requests', [props.apiLogs], {
            fields: ['@timestamp', 'correlation_id', 'method', 'path', 'status', 'durationMs'],
            filterStatements: ['message = "request"', 'ispresent(durationMs)'],
            sort: 'durationMs desc',
            limit: 50,
          })
        : query('SlowestRequests', 'slowest-requests', [access], {
            fields: [
              '@timestamp',
              'requestId',
              'httpMethod',
              'resourcePath',
              'status',
              'responseLatency',
              'integrationLatency',
            ],
            filterStatements: ['ispresent(responseLatency)'],
            sort: 'responseLatency desc',
            limit: 50,
          });

    this.rejectedEvents = query('RejectedEvents', 'rejected-events', [props.processorLogs], {
      fields: ['@timestamp', 'correlation_id', 'detailType', 'source', 'code', 'reason'],
      // The raw JSON, not the field: a JSON boolean's type in Logs Insights is no concern then.
      filterStatements: ['message = "event not processed"', '@message like /"retryable":false/'],
      sort: '@timestamp desc',
      limit: 100,
    });
  }
}
