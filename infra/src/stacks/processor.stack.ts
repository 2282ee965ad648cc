import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { EVENT_RULES, type EventRule } from '@taskflow/platform-event-routing';
import type { Construct } from 'constructs';
import { DeadLetterQueue } from '../constructs/dead-letter-queue.construct';
import {
  type AsyncInvokeRetry,
  EventInvokeFailures,
} from '../constructs/event-invoke-failures.construct';
import { EventLambdaRule, type EventRetryPolicy } from '../constructs/event-lambda-rule.construct';
import { EventLogArchive } from '../constructs/event-log-archive.construct';
import type { LiveAlias } from '../constructs/live-alias.construct';
import type { TaskflowFunction } from '../constructs/taskflow-function.construct';
import { sharedNames } from './foundation.stack';
import { AppStack, type AppStackProps, type MonitoredApp } from './app-stack';

/**
 * Delivery of inbound commands to the processor: EventBridge retries only what Lambda did not
 * accept (the function or its permission missing, Lambda's API throttling). Two hours of that
 * is a misconfiguration or an outage someone must see; the events then wait in the
 * dead-letter queue (14 days) and in the bus archive.
 */
export const PROCESSOR_DELIVERY_RETRY: EventRetryPolicy = {
  attempts: 30,
  maxEventAge: Duration.hours(2),
};

/**
 * Lambda's own retries of a command the processor threw on: the most Lambda allows (2, about
 * one and three minutes later) for transient failures such as the database being unreachable,
 * and the longest stay in the async queue (6 h) for when the function is throttled.
 */
export const PROCESSOR_INVOKE_RETRY: AsyncInvokeRetry = {
  attempts: 2,
  maxEventAge: Duration.hours(6),
};

/**
 * Copies of the published events are audit records: EventBridge's longest retry (185
 * attempts over 24 h) before one is dead-lettered.
 */
export const PUBLISHED_EVENTS_RETRY: EventRetryPolicy = {
  attempts: 185,
  maxEventAge: Duration.hours(24),
};

function rule(target: EventRule['target']): EventRule {
  const found = EVENT_RULES.find((r) => r.target === target);
  if (found === undefined) throw new Error(`@taskflow/event-routing has no ${target} rule`);
  return found;
}

/**
 * The task processor and what feeds it: the rule sending inbound `task.management` commands
 * (the pattern of `@taskflow/platform-event-routing`, as the local bus routes them) to its live
 * alias, with a retry policy and a dead-letter queue for undeliverable events; Lambda's
 * async-invoke retries and an on-failure queue for commands it could not process. Also the
 * audit copy of Taskflow's published events into a log group, with its own retry policy and
 * dead-letter queue.
 *
 * A rejected command (`EventProcessingError.retryable === false`) is retried like any failure:
 * Lambda's async retries cannot tell one thrown error from another, so only the handler could
 * spare them (by not throwing on a permanent failure). The processor is idempotent on the
 * event id, so the two retries cost two short invocations, never a second write.
 */
export class ProcessorStack extends AppStack {
  readonly processor: TaskflowFunction;
  readonly processorLive: LiveAlias;
  readonly functions: MonitoredApp['functions'];
  /** The inbound-commands rule (bus → processor). */
  readonly inboundRule: events.Rule;
  /** Inbound commands EventBridge could not hand to Lambda. */
  readonly inboundDeadLetters: DeadLetterQueue;
  /** Commands the processor failed on after Lambda's retries (Lambda invocation records). */
  readonly processorFailures: DeadLetterQueue;
  readonly processorInvokeConfig: EventInvokeFailures;
  /** Taskflow's published events copied to CloudWatch Logs. */
  readonly publishedEvents: EventLogArchive;
  /** The published-events rule (bus → log group). */
  readonly publishedEventsRule: events.Rule;
  /** Published events EventBridge could not write to the log group. */
  readonly publishedEventsDeadLetters: DeadLetterQueue;
  readonly deadLetterQueues: readonly sqs.IQueue[];

  constructor(scope: Construct, id: string, props: AppStackProps) {
    super(scope, id, props);
    const { config, foundation } = props;
    const { prefix } = sharedNames(config);
    const processor = this.publishingFunction(
      'Processor',
      {
        app: 'processor',
        description: 'Taskflow task processor: applies inbound task.management commands',
      },
      false,
    );
    this.processor = processor.fn;
    this.processorLive = processor.live;
    this.functions = [processor];

    const inbound = rule('processor');
    this.inboundDeadLetters = new DeadLetterQueue(this, 'InboundDeadLetters', {
      config,
      holds: 'inbound task commands EventBridge could not deliver to the processor',
    });
    this.inboundRule = new EventLambdaRule(this, 'Inbound', {
      ruleName: `${prefix}-${inbound.name}`,
      description: inbound.description,
      trigger: { eventBus: foundation.eventBus, eventPattern: inbound.eventPattern },
      target: this.processorLive.alias,
      retry: PROCESSOR_DELIVERY_RETRY,
      deadLetterQueue: this.inboundDeadLetters,
    }).rule;

    this.processorFailures = new DeadLetterQueue(this, 'ProcessorFailures', {
      config,
      holds: 'task commands the processor failed on after its retries',
    });
    this.processorInvokeConfig = new EventInvokeFailures(this, 'ProcessorInvoke', {
      target: processor,
      retry: PROCESSOR_INVOKE_RETRY,
      onFailure: this.processorFailures,
    });

    const published = rule('broadcaster');
    this.publishedEventsDeadLetters = new DeadLetterQueue(this, 'PublishedEventsDeadLetters', {
      config,
      holds: 'published Taskflow events EventBridge could not write to their log group',
    });
    this.publishedEvents = new EventLogArchive(this, 'PublishedEvents', {
      config,
      eventBus: foundation.eventBus,
      eventPattern: published.eventPattern,
      ruleName: `${prefix}-published-events`,
      description: "Taskflow's own events to CloudWatch Logs, for audit and Logs Insights",
      logGroupName: `/aws/events/${prefix}-published`,
      retry: PUBLISHED_EVENTS_RETRY,
      deadLetterQueue: this.publishedEventsDeadLetters,
    });
    this.publishedEventsRule = this.publishedEvents.rule;

    this.deadLetterQueues = [
      this.inboundDeadLetters.queue,
      this.processorFailures.queue,
      this.publishedEventsDeadLetters.queue,
    ];
    this.outputs(prefix);
  }

  private outputs(prefix: string): void {
    const { foundation } = this;
    const region = Stack.of(this).region;
    new CfnOutput(this, 'ProcessorFunctionName', {
      description:
        "The task processor; send it the seed's test event with the foundation stack's PutEventsCommand output",
      value: this.processor.functionName,
    });
    new CfnOutput(this, 'ProcessorLogsCommand', {
      description: "Follow the processor's log (its own log group, not /aws/lambda/…)",
      value: `aws logs tail ${this.processor.functionLogGroup.logGroupName} --follow --region ${region}`,
    });
    new CfnOutput(this, 'InboundRuleArn', { value: this.inboundRule.ruleArn });
    const queues: readonly [string, DeadLetterQueue][] = [
      ['InboundDeadLetters', this.inboundDeadLetters],
      ['ProcessorFailures', this.processorFailures],
      ['PublishedEventsDeadLetters', this.publishedEventsDeadLetters],
    ];
    for (const [name, dlq] of queues) {
      new CfnOutput(this, `${name}QueueUrl`, { value: dlq.queue.queueUrl });
      new CfnOutput(this, `${name}QueueArn`, { value: dlq.queue.queueArn });
      new CfnOutput(this, `${name}PeekCommand`, {
        description: 'Read the dead letters with their error attributes (they stay in the queue)',
        value: `aws sqs receive-message --region ${region} --queue-url ${dlq.queue.queueUrl} --max-number-of-messages 10 --visibility-timeout 0 --attribute-names All --message-attribute-names All`,
      });
    }
    // SQS's redrive (start-message-move-task) moves messages only back to SQS source queues;
    // these came from EventBridge and Lambda. The archive holds every event: replaying the
    // window of the failures into the processor's rule alone redoes them, and the processor
    // skips the ones it already applied (idempotent on the event id).
    new CfnOutput(this, 'ProcessorRedriveCommand', {
      description:
        'Redrive the inbound dead letters and processor failures: replay their time window from the archive to the inbound rule only (fill in the window, ISO 8601)',
      value: `aws events start-replay --region ${region} --replay-name ${prefix}-processor-redrive-$(date +%s) --event-source-arn ${foundation.archive.archiveArn} --destination '{"Arn":"${foundation.eventBus.eventBusArn}","FilterArns":["${this.inboundRule.ruleArn}"]}' --event-start-time <first failure> --event-end-time <last failure>`,
    });
    new CfnOutput(this, 'PublishedEventsLogGroupName', {
      value: this.publishedEvents.logGroup.logGroupName,
    });
    new CfnOutput(this, 'PublishedEventsLogsCommand', {
      value: `aws logs tail ${this.publishedEvents.logGroup.logGroupName} --follow --region ${region}`,
    });
  }
}
