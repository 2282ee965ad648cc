import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { EventRule } from '@taskflow/platform-event-routing';
import type { TaskflowConfig } from '../config/config.schema';
import { DeadLetterQueue } from './dead-letter-queue.construct';
import { cdkEventPattern } from './event-lambda-rule.construct';

/** Props of {@link WebSocketBroadcast}. */
export interface WebSocketBroadcastProps {
  readonly config: TaskflowConfig;
  readonly eventBus: events.IEventBus;
  /** The routing rule whose target is the broadcaster (`@taskflow/platform-event-routing`). */
  readonly rule: EventRule;
  /** The broadcaster's live alias: EventBridge invokes it, its async settings apply. */
  readonly broadcaster: lambda.Alias;
}

/**
 * The broadcaster's trigger: the routing rule on the region's bus, deployed with the very
 * pattern the local bus uses, and both hops of its asynchronous delivery bounded and
 * dead-lettered into KMS-encrypted queues:
 *
 * - EventBridge to Lambda (throttled, or Lambda unavailable): the target's retry policy, then
 *   the rule's dead-letter queue ({@link deliveryDeadLetters}; the message is the event).
 * - Lambda's asynchronous queue to the function (the function threw: an invalid event, the
 *   database down): the alias's retries and age limit, then its on-failure destination
 *   ({@link failureDeadLetters}; the message is Lambda's invocation record, the event in its
 *   `requestPayload`).
 */
export class WebSocketBroadcast extends Construct {
  readonly rule: events.Rule;
  readonly deliveryDeadLetters: DeadLetterQueue;
  readonly failureDeadLetters: DeadLetterQueue;

  constructor(scope: Construct, id: string, props: WebSocketBroadcastProps) {
    super(scope, id);
    const { config, broadcaster } = props;
    const { retryAttempts, maxEventAgeSeconds } = config.realtime.delivery;
    const maxEventAge = Duration.seconds(maxEventAgeSeconds);

    this.deliveryDeadLetters = new DeadLetterQueue(this, 'DeliveryDeadLetters', {
      config,
      holds: `events the ${props.rule.name} rule could not deliver to the broadcaster`,
    });
    this.failureDeadLetters = new DeadLetterQueue(this, 'FailureDeadLetters', {
      config,
      holds: 'events the broadcaster failed on after its retries',
    });

    this.rule = new events.Rule(this, 'Rule', {
      eventBus: props.eventBus,
      ruleName: `${config.projectName}-${config.stage}-${props.rule.name}`,
      description: props.rule.description,
      eventPattern: cdkEventPattern(props.rule.eventPattern),
    });
    // The target writes the queue policy itself (events.amazonaws.com, aws:SourceArn = this
    // rule); the queue's key already lets EventBridge encrypt for this account.
    this.rule.addTarget(
      new targets.LambdaFunction(broadcaster, {
        retryAttempts,
        maxEventAge,
        deadLetterQueue: this.deliveryDeadLetters.queue,
      }),
    );

    const failures = this.failureDeadLetters;
    broadcaster.configureAsyncInvoke({
      retryAttempts,
      maxEventAge,
      onFailure: {
        bind: (_scope, fn) => {
          // With the function's own role: Lambda sends the record as the function.
          failures.grantSendMessages(fn);
          return { destination: failures.queue.queueArn };
        },
      },
    });
  }
}
