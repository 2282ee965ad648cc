import { ArnFormat, Aws, Duration, Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { EventRule } from '@taskflow/platform-event-routing';
import type { TaskflowConfig } from '../config/config.schema';
import { DeadLetterQueue } from './dead-letter-queue.construct';
import { cdkEventPattern } from './event-lambda-rule.construct';

/**
 * Attempts EventBridge makes to put an event on the other region's bus: its most (it accepts
 * 0-185). The age limit, the broadcaster's own (`config.realtime.delivery`), ends them sooner:
 * a live update older than that is dead-lettered, and clients read the current state when they
 * reconnect.
 */
export const FORWARD_RETRY_ATTEMPTS = 185;

/** Props of {@link WebSocketForward}. */
export interface WebSocketForwardProps {
  readonly config: TaskflowConfig;
  /** This region's bus. */
  readonly eventBus: events.IEventBus;
  /** The broadcaster's routing rule (`@taskflow/platform-event-routing`): what is forwarded is what it matches. */
  readonly rule: EventRule;
  /** The region whose bus gets the events. */
  readonly toRegion: string;
  /** The name of the bus in `toRegion` (both regions name theirs alike). */
  readonly toBusName: string;
}

/**
 * Forwards Taskflow's own events that were put on this region's bus to the other region's bus,
 * so that the other region's broadcaster (whose API alone holds its clients' connections) gets
 * every event once, whichever region committed or published it.
 *
 * No loop: the pattern is the broadcaster rule's plus `region` = this stack's region, and
 * EventBridge documents that field as the Region "where the event originated" (the event
 * structure reference, docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html,
 * and CDK's `AWSEventMetadataProps.region`), which forwarding the event does not make the
 * receiving Region: the other region's forward rule, matching its own region, does not send it
 * back. EventBridge stops a second hop by itself too: it "can't route events received from a
 * sender event bus to a third event bus" (eb-bus-to-bus.html), and events received from another
 * account are not sent on to a third (eb-cross-account.html).
 *
 * The target is the other bus's deterministic ARN (no cross-region reference); the rule's own
 * role may only `events:PutEvents` on that one bus. EventBridge retries with the age limit of
 * the broadcaster's delivery, then dead-letters into a KMS-encrypted queue. CDK's `EventBus`
 * target takes no retry policy (aws/aws-cdk#28735), hence the target written here.
 */
export class WebSocketForward extends Construct {
  readonly rule: events.Rule;
  readonly role: iam.Role;
  readonly deadLetters: DeadLetterQueue;
  /** `arn:<partition>:events:<toRegion>:<account>:event-bus/<toBusName>`. */
  readonly targetBusArn: string;
  readonly toRegion: string;
  readonly toBusName: string;

  constructor(scope: Construct, id: string, props: WebSocketForwardProps) {
    super(scope, id);
    const { config, toRegion } = props;
    this.toRegion = toRegion;
    this.toBusName = props.toBusName;
    const stack = Stack.of(this);
    if (Token.isUnresolved(stack.region))
      throw new Error('forwarding events to another region needs a stack with a concrete region');
    if (toRegion === stack.region)
      throw new Error(`events of ${toRegion} would be forwarded to ${toRegion} itself`);

    this.targetBusArn = stack.formatArn({
      service: 'events',
      region: toRegion,
      resource: 'event-bus',
      resourceName: props.toBusName,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });

    this.deadLetters = new DeadLetterQueue(this, 'DeadLetters', {
      config,
      holds: `events the forward rule could not put on the ${toRegion} bus`,
    });

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.PrincipalWithConditions(new iam.ServicePrincipal('events.amazonaws.com'), {
        StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
      }),
      description: `EventBridge: forwards Taskflow's events of ${stack.region} to the ${toRegion} bus`,
    });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [this.targetBusArn] }),
    );

    this.rule = new events.Rule(this, 'Rule', {
      eventBus: props.eventBus,
      // At most 20 + 1 + 10 + 9 + 14 = 54 characters: EventBridge allows 64.
      ruleName: `${config.projectName}-${config.stage}-forward-${toRegion}`,
      description: `Taskflow's own events put in ${stack.region}, to the ${toRegion} bus (its broadcaster reaches the clients connected there).`,
      eventPattern: { ...cdkEventPattern(props.rule.eventPattern), region: [stack.region] },
    });
    const { role, deadLetters, targetBusArn } = this;
    const maxEventAge = Duration.seconds(config.realtime.delivery.maxEventAgeSeconds);
    this.rule.addTarget({
      bind: () => ({
        arn: targetBusArn,
        role,
        deadLetterConfig: { arn: deadLetters.queue.queueArn },
        retryPolicy: {
          maximumRetryAttempts: FORWARD_RETRY_ATTEMPTS,
          maximumEventAgeInSeconds: maxEventAge.toSeconds(),
        },
      }),
    });
    // This target is not one of aws-events-targets', which write the queue policy themselves.
    deadLetters.allowRule(this.rule.ruleArn);
  }
}
