import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/** A metric over 5-minute periods, the period every Taskflow alarm and graph judges by default. */
export function fiveMinuteMetric(
  namespace: string,
  metricName: string,
  dimensionsMap: Record<string, string>,
  statistic: string,
  label?: string,
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace,
    metricName,
    dimensionsMap,
    statistic,
    period: Duration.minutes(5),
    ...(label === undefined ? {} : { label }),
  });
}
