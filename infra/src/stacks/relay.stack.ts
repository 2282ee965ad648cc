import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { TaskflowConfig } from '../config/config.schema';
import { DeadLetterQueue } from '../constructs/dead-letter-queue.construct';
import {
  type AsyncInvokeRetry,
  EventInvokeFailures,
} from '../constructs/event-invoke-failures.construct';
import { EventLambdaRule, type EventRetryPolicy } from '../constructs/event-lambda-rule.construct';
import type { LiveAlias } from '../constructs/live-alias.construct';
import type { TaskflowFunction } from '../constructs/taskflow-function.construct';
import { sharedNames } from './foundation.stack';
import { AppStack, type AppStackProps, type MonitoredApp } from './app-stack';

/** How often the relay runs. */
export const RELAY_PERIOD = Duration.minutes(1);

/**
 * The relay's time bounds. It sweeps while more than `SAFETY_MARGIN_MS` (10 s, apps/lambda-relay)
 * remain and must have room for two claims after that, so below 20 s a run would publish
 * little or nothing. Above the schedule's period runs would pile up: safe (claims are leased)
 * but each holds database connections for nothing, since the next run sweeps the same outbox.
 */
export const RELAY_TIMEOUT_BOUNDS = { min: Duration.seconds(20), max: RELAY_PERIOD } as const;

/**
 * The configured function timeout, held within {@link RELAY_TIMEOUT_BOUNDS}: 30 s in the
 * presets, so a run sweeps for 20 s and is over well before the next one starts.
 */
export function relayTimeout(config: TaskflowConfig): Duration {
  const { min, max } = RELAY_TIMEOUT_BOUNDS;
  const seconds = Math.min(
    Math.max(config.lambda.timeoutSeconds, min.toSeconds()),
    max.toSeconds(),
  );
  return Duration.seconds(seconds);
}

/**
 * A tick is worth delivering only until the next one: EventBridge's shortest event age
 * (60 s) with a couple of attempts inside it.
 */
export const RELAY_DELIVERY_RETRY: EventRetryPolicy = {
  attempts: 2,
  maxEventAge: RELAY_PERIOD,
};

/**
 * A failed run is not retried by Lambda: the next tick, a minute later, sweeps the same
 * outbox, and a retry would only overlap it. A tick older than a period (throttled) is
 * dropped for the same reason. Both land in the dead-letter queue as a signal.
 */
export const RELAY_INVOKE_RETRY: AsyncInvokeRetry = { attempts: 0, maxEventAge: RELAY_PERIOD };

/**
 * The outbox relay: publishes, on a schedule, every event the fast paths left behind. A rule
 * on the default bus (where schedules live) invokes its live alias every minute; runs may
 * overlap safely (claims are leased, SKIP LOCKED) but are sized not to.
 *
 * One dead-letter queue takes the ticks EventBridge could not deliver and the runs that failed
 * or were dropped by Lambda. Its messages carry nothing to redrive (the next run does the
 * work); any message means the outbox was not drained that minute, which monitoring alarms on.
 */
export class RelayStack extends AppStack {
  readonly relay: TaskflowFunction;
  readonly relayLive: LiveAlias;
  readonly functions: MonitoredApp['functions'];
  /** The every-minute schedule (default bus → relay). */
  readonly scheduleRule: events.Rule;
  /** Undelivered ticks and failed runs. */
  readonly missedRuns: DeadLetterQueue;
  readonly relayInvokeConfig: EventInvokeFailures;
  readonly deadLetterQueues: readonly sqs.IQueue[];

  constructor(scope: Construct, id: string, props: AppStackProps) {
    super(scope, id, props);
    const { config } = props;
    const { prefix } = sharedNames(config);
    const relay = this.publishingFunction(
      'Relay',
      {
        app: 'relay',
        description: 'Taskflow outbox relay: publishes due events to the bus (scheduled)',
        timeout: relayTimeout(config),
      },
      false,
    );
    this.relay = relay.fn;
    this.relayLive = relay.live;
    this.functions = [relay];

    this.missedRuns = new DeadLetterQueue(this, 'MissedRuns', {
      config,
      holds: 'relay runs that were not delivered or failed (nothing to redrive)',
    });
    this.scheduleRule = new EventLambdaRule(this, 'Schedule', {
      ruleName: `${prefix}-relay-schedule`,
      description: 'Every minute: the outbox relay publishes the events the fast paths left behind',
      trigger: { schedule: events.Schedule.rate(RELAY_PERIOD) },
      target: this.relayLive.alias,
      retry: RELAY_DELIVERY_RETRY,
      deadLetterQueue: this.missedRuns,
    }).rule;
    this.relayInvokeConfig = new EventInvokeFailures(this, 'RelayInvoke', {
      target: relay,
      retry: RELAY_INVOKE_RETRY,
      onFailure: this.missedRuns,
    });
    this.deadLetterQueues = [this.missedRuns.queue];

    const region = Stack.of(this).region;
    new CfnOutput(this, 'RelayFunctionName', { value: this.relay.functionName });
    new CfnOutput(this, 'RelayLogsCommand', {
      description: "Follow the relay's log (its own log group, not /aws/lambda/…)",
      value: `aws logs tail ${this.relay.functionLogGroup.logGroupName} --follow --region ${region}`,
    });
    new CfnOutput(this, 'RelayScheduleRuleArn', { value: this.scheduleRule.ruleArn });
    new CfnOutput(this, 'MissedRunsQueueUrl', { value: this.missedRuns.queue.queueUrl });
    new CfnOutput(this, 'MissedRunsQueueArn', {
      description:
        'Nothing to redrive (the next run sweeps the same outbox): read the errors, then purge the queue',
      value: this.missedRuns.queue.queueArn,
    });
    new CfnOutput(this, 'MissedRunsPurgeCommand', {
      value: `aws sqs purge-queue --region ${region} --queue-url ${this.missedRuns.queue.queueUrl}`,
    });
  }
}
