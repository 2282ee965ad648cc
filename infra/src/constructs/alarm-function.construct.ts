import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { TaskflowConfig } from '../config/config.schema';
import type { LiveAlias } from './live-alias.construct';
import type { TaskflowFunction } from './taskflow-function.construct';

/** Lambda's timeout when a function sets none. */
const LAMBDA_DEFAULT_TIMEOUT = Duration.seconds(3);

/** Props of {@link FunctionAlarms}. */
export interface FunctionAlarmsProps {
  readonly config: TaskflowConfig;
  readonly fn: TaskflowFunction;
  readonly live: LiveAlias;
  /** Start of every alarm name, `<project>-<stage>`. */
  readonly namePrefix: string;
}

/**
 * The seed's alarms of one function: errors (more than the configured count in 10 minutes),
 * p99 duration above the configured share of the function's own timeout, any throttle, and
 * concurrent executions near the function's limit.
 *
 * Errors, duration and throttles are the `live` alias's metrics: every trigger invokes the
 * alias, so they are what callers experienced, during a CodeDeploy traffic shift included
 * (both versions report under the alias), and they match the deployment's rollback alarm.
 * Concurrency is the function's metric: reserved concurrency caps the function as a whole,
 * every version and alias together, so only the function-wide count can reach it.
 *
 * Missing data is "not breaching" for all four: a function nobody invoked has no errors, no
 * duration, no throttles and no concurrency, and that is not a failure of the function.
 */
export class FunctionAlarms extends Construct {
  readonly errors: cloudwatch.Alarm;
  readonly duration: cloudwatch.Alarm;
  readonly throttles: cloudwatch.Alarm;
  readonly concurrency: cloudwatch.Alarm;
  /** The function's configured timeout (what the duration alarm is a share of). */
  readonly timeout: Duration;
  /** The duration alarm's threshold (ms). */
  readonly durationThresholdMs: number;
  /** Reserved concurrency when set, else the configured account limit. */
  readonly concurrencyLimit: number;
  /** The concurrency alarm's threshold (executions). */
  readonly concurrencyThreshold: number;

  constructor(scope: Construct, id: string, props: FunctionAlarmsProps) {
    super(scope, id);
    const { config, fn, live, namePrefix } = props;
    const thresholds = config.alarms;
    const alias = live.alias;
    const name = (what: string): string => `${namePrefix}-${fn.app}-${what}`;

    this.errors = new cloudwatch.Alarm(this, 'Errors', {
      alarmName: name('errors'),
      alarmDescription: `${fn.app}: more than ${String(thresholds.functionErrors)} errors in 10 minutes on the live alias`,
      metric: alias.metricErrors({ period: Duration.minutes(10), statistic: 'Sum' }),
      threshold: thresholds.functionErrors,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    this.timeout = fn.timeout ?? LAMBDA_DEFAULT_TIMEOUT;
    const durationLimitMs = Math.round(
      (this.timeout.toMilliseconds() * thresholds.durationPercentOfTimeout) / 100,
    );
    this.durationThresholdMs = durationLimitMs;
    this.duration = new cloudwatch.Alarm(this, 'Duration', {
      alarmName: name('duration'),
      alarmDescription: `${fn.app}: p99 duration above ${String(thresholds.durationPercentOfTimeout)} % of its ${this.timeout.toHumanString()} timeout (${String(durationLimitMs)} ms) in 2 of 3 periods of 5 minutes`,
      metric: alias.metricDuration({ period: Duration.minutes(5), statistic: 'p99' }),
      threshold: durationLimitMs,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    this.throttles = new cloudwatch.Alarm(this, 'Throttles', {
      alarmName: name('throttles'),
      alarmDescription: `${fn.app}: invocations throttled on the live alias (concurrency exhausted)`,
      metric: alias.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    // lambda.Function keeps its reserved concurrency on the L1 resource only.
    const reserved = (fn.node.defaultChild as lambda.CfnFunction).reservedConcurrentExecutions;
    this.concurrencyLimit = reserved ?? thresholds.accountConcurrencyLimit;
    const concurrencyThreshold = Math.floor(
      (this.concurrencyLimit * thresholds.concurrencyPercent) / 100,
    );
    this.concurrencyThreshold = concurrencyThreshold;
    this.concurrency = new cloudwatch.Alarm(this, 'Concurrency', {
      alarmName: name('concurrency'),
      alarmDescription: `${fn.app}: more than ${String(concurrencyThreshold)} concurrent executions (${String(thresholds.concurrencyPercent)} % of ${reserved === undefined ? "the account's limit" : 'its reserved concurrency'}, ${String(this.concurrencyLimit)}) in 3 of 5 minutes`,
      metric: fn.metric('ConcurrentExecutions', {
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      threshold: concurrencyThreshold,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  /** The four alarms. */
  get alarms(): readonly cloudwatch.Alarm[] {
    return [this.errors, this.duration, this.throttles, this.concurrency];
  }
}
