import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { fiveMinuteMetric } from './monitoring-metric';
import { Construct } from 'constructs';
import type { TaskflowConfig } from '../config/config.schema';

/**
 * The region's two APIs by name and identity: REST metrics carry `ApiName` and `Stage`,
 * WebSocket metrics `ApiId` and `Stage` (`AWS/ApiGateway` both).
 */
export interface MonitoredApis {
  readonly restApiName: string;
  readonly restStage: string;
  readonly webSocketApiId: string;
  readonly webSocketStage: string;
}

/** Props of {@link ApiAlarms}. */
export interface ApiAlarmsProps {
  readonly config: TaskflowConfig;
  readonly apis: MonitoredApis;
  /** Start of every alarm name, `<project>-<stage>`. */
  readonly namePrefix: string;
}

/** A metric of one of the region's two API stages, over five minutes. */
export type StageMetric = (
  apis: MonitoredApis,
  metricName: string,
  statistic: string,
  label?: string,
) => cloudwatch.Metric;

/** The metrics of the stage that `dimensions` names: the two APIs name theirs differently. */
function stageMetric(dimensions: (apis: MonitoredApis) => Record<string, string>): StageMetric {
  return (apis, metricName, statistic, label) =>
    fiveMinuteMetric('AWS/ApiGateway', metricName, dimensions(apis), statistic, label);
}

/** A REST API metric of the stage. */
export const restMetric = stageMetric((apis) => ({
  ApiName: apis.restApiName,
  Stage: apis.restStage,
}));

/** A WebSocket API metric of the stage. */
export const webSocketMetric = stageMetric((apis) => ({
  ApiId: apis.webSocketApiId,
  Stage: apis.webSocketStage,
}));

/**
 * The REST API's server-error rate: 5XXError / Count over 5 minutes, judged only when the
 * stage served at least the configured number of requests (two 500s among three requests are
 * a bug report, not an outage). Two consecutive periods above the configured percentage
 * alarm. No requests means no datapoint (API Gateway reports nothing): not breaching.
 */
export class ApiAlarms extends Construct {
  readonly serverErrorRate: cloudwatch.Alarm;
  /** The metric-math rate the alarm watches (percent), for the dashboard. */
  readonly rate: cloudwatch.MathExpression;
  /** The alarm's threshold (percent). */
  readonly thresholdPercent: number;

  constructor(scope: Construct, id: string, props: ApiAlarmsProps) {
    super(scope, id);
    const { apis, namePrefix } = props;
    const { api5xxPercent, api5xxMinRequests } = props.config.alarms;
    this.thresholdPercent = api5xxPercent;
    this.rate = new cloudwatch.MathExpression({
      expression: `IF(requests >= ${String(api5xxMinRequests)}, 100 * errors / requests, 0)`,
      usingMetrics: {
        errors: restMetric(apis, '5XXError', 'Sum'),
        requests: restMetric(apis, 'Count', 'Sum'),
      },
      period: Duration.minutes(5),
      label: `5xx rate (%, at least ${String(api5xxMinRequests)} requests)`,
    });
    this.serverErrorRate = new cloudwatch.Alarm(this, 'ServerErrorRate', {
      alarmName: `${namePrefix}-api-5xx-rate`,
      alarmDescription: `REST API ${apis.restApiName} (${apis.restStage}): more than ${String(api5xxPercent)} % of requests answered 5xx in 2 consecutive periods of 5 minutes (with at least ${String(api5xxMinRequests)} requests each)`,
      metric: this.rate,
      threshold: api5xxPercent,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  /** Every alarm. */
  get alarms(): readonly cloudwatch.Alarm[] {
    return [this.serverErrorRate];
  }
}
