import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { fiveMinuteMetric } from './monitoring-metric';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { TaskflowConfig } from '../config/config.schema';
import { pascal } from './alarm-database.construct';
import { metricsNamespace } from './taskflow-function.construct';

/** An EventBridge rule, by name: its metrics carry `EventBusName` and `RuleName` (custom bus). */
export interface MonitoredRule {
  /**
   * The rule's role, kebab-case and literal (`inbound-task-commands`, `broadcast`): it names
   * the rule's alarms, construct ids and dashboard graphs, which must not depend on the
   * deployed name (a CloudFormation token). Unique among the rules of one stack.
   */
  readonly label: string;
  readonly ruleName: string;
  readonly busName: string;
}

/** A literal kebab-case label (a token renders as `${Token[...]}` and fails it). */
const RULE_LABEL = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** A dead-letter queue and the app that owns it (names the alarm). */
export interface MonitoredQueue {
  readonly app: string;
  /** Distinguishes two queues of one app (stable across deployments: part of the ids). */
  readonly key: string;
  readonly queue: sqs.IQueue;
}

/** Props of {@link PipelineAlarms}. */
export interface PipelineAlarmsProps {
  readonly config: TaskflowConfig;
  readonly queues: readonly MonitoredQueue[];
  readonly rules: readonly MonitoredRule[];
  /** Start of every alarm name, `<project>-<stage>`. */
  readonly namePrefix: string;
}

/**
 * A Taskflow EMF metric (lambda-runtime's telemetry, Powertools Metrics): in the deployment's
 * namespace (`metricsNamespace`), with the one default dimension Powertools adds, `service` =
 * `taskflow-<app>`.
 */
export function taskflowMetric(
  namespace: string,
  app: string,
  metricName: string,
  statistic: string,
  label?: string,
): cloudwatch.Metric {
  return fiveMinuteMetric(namespace, metricName, { service: `taskflow-${app}` }, statistic, label);
}

/** An `AWS/Events` metric of a rule on a custom bus. */
export function ruleMetric(rule: MonitoredRule, metricName: string): cloudwatch.Metric {
  const dimensions = { EventBusName: rule.busName, RuleName: rule.ruleName };
  return fiveMinuteMetric('AWS/Events', metricName, dimensions, 'Sum', metricName);
}

/**
 * What keeps events flowing: every dead-letter queue must stay empty, every rule must deliver
 * (no permanently failed invocation, nothing lost on the way to its dead-letter queue), and
 * the outbox must drain (the relay's `OutboxLag`, the age of the oldest unpublished event).
 */
export class PipelineAlarms extends Construct {
  /** One per queue, in the order given. */
  readonly deadLetters: readonly cloudwatch.Alarm[];
  /** Two per rule (failed invocations, dead-letter delivery failures), in the order given. */
  readonly ruleAlarms: readonly cloudwatch.Alarm[];
  readonly outboxLag: cloudwatch.Alarm;
  /** The lag threshold in milliseconds (the metric's unit). */
  readonly outboxLagThresholdMs: number;

  constructor(scope: Construct, id: string, props: PipelineAlarmsProps) {
    super(scope, id);
    const { config, namePrefix } = props;

    this.deadLetters = props.queues.map(
      ({ app, key, queue }) =>
        new cloudwatch.Alarm(this, `DeadLetters${key}`, {
          alarmName: `${namePrefix}-${app}-${kebab(key)}-not-empty`,
          alarmDescription: `${app}: messages in the dead-letter queue ${queue.queueName}: an event was not delivered or not processed (inspect, then redrive)`,
          metric: queue.metricApproximateNumberOfMessagesVisible({
            period: Duration.minutes(5),
            statistic: 'Maximum',
          }),
          threshold: 0,
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          // SQS stops reporting a queue that stayed empty and untouched for 6 hours; a queue
          // holding messages keeps reporting, so missing data means empty.
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
    );

    const labels = new Set<string>();
    for (const { label } of props.rules) {
      if (!RULE_LABEL.test(label))
        throw new Error(`rule label "${label}" is not a literal kebab-case name`);
      if (labels.has(label)) throw new Error(`two monitored rules are labelled "${label}"`);
      labels.add(label);
    }
    this.ruleAlarms = props.rules.flatMap((rule) => {
      const idBase = `Rule${pascal(rule.label)}`;
      const what = `Rule ${rule.label} (${rule.ruleName} on bus ${rule.busName})`;
      // EventBridge sends both metrics only when they are not zero: missing is good news.
      return [
        new cloudwatch.Alarm(this, `${idBase}FailedInvocations`, {
          alarmName: `${namePrefix}-rule-${rule.label}-failed-invocations`,
          alarmDescription: `${what}: invocations failed permanently (retries exhausted)`,
          metric: ruleMetric(rule, 'FailedInvocations'),
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
        new cloudwatch.Alarm(this, `${idBase}DeadLetterFailures`, {
          alarmName: `${namePrefix}-rule-${rule.label}-events-lost`,
          alarmDescription: `${what}: events could not be sent to its dead-letter queue and are lost (replay them from the archive)`,
          metric: ruleMetric(rule, 'InvocationsFailedToBeSentToDlq'),
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      ];
    });

    const lagSeconds = config.alarms.outboxLagSeconds;
    this.outboxLagThresholdMs = lagSeconds * 1000;
    this.outboxLag = new cloudwatch.Alarm(this, 'OutboxLag', {
      alarmName: `${namePrefix}-outbox-lag`,
      alarmDescription: `The oldest unpublished outbox event is older than ${String(lagSeconds)} s in 3 consecutive periods of 5 minutes, or the relay reported no lag for 15 minutes (it is not running)`,
      metric: taskflowMetric(
        metricsNamespace(props.config),
        'relay',
        'OutboxLag',
        'Maximum',
        'outbox lag (max, ms)',
      ),
      threshold: this.outboxLagThresholdMs,
      evaluationPeriods: 3,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      // The scheduled relay measures the lag on every run (each minute): no measurement at all
      // means no relay run, and then nothing publishes what the fast paths left behind.
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
  }

  /** Every alarm. */
  get alarms(): readonly cloudwatch.Alarm[] {
    return [...this.deadLetters, ...this.ruleAlarms, this.outboxLag];
  }
}

/** `ProcessorDeadLetters` -> `processor-dead-letters`. */
export function kebab(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .toLowerCase();
}
