import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { TaskflowConfig } from '../config/config.schema';

/** Props of {@link DeadLetterQueue}. */
export interface DeadLetterQueueProps {
  readonly config: TaskflowConfig;
  /** What ends up here, for the queue's and the key's descriptions. */
  readonly holds: string;
}

/**
 * An SQS dead-letter queue encrypted with a customer key of its own stack, kept 14 days (SQS's
 * longest). EventBridge may write to it only for the rules named with {@link allowRule}: the
 * queue policy names the rule, and the key policy lets EventBridge encrypt for this account
 * (without it, an EventBridge DLQ on a KMS queue silently stays empty). Lambda's on-failure
 * destinations write with the function's own role ({@link grantSendMessages}).
 */
export class DeadLetterQueue extends Construct {
  readonly queue: sqs.Queue;
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: DeadLetterQueueProps) {
    super(scope, id);
    const removal = props.config.deletionProtection ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    this.key = new kms.Key(this, 'Key', {
      description: `Taskflow ${props.config.stage}: ${props.holds}`,
      enableKeyRotation: true,
      removalPolicy: removal,
    });
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowEventBridgeDeadLetters',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.key,
      // Data keys are reused for 5 minutes: fewer KMS calls when a failure dead-letters a burst.
      dataKeyReuse: Duration.minutes(5),
      retentionPeriod: Duration.days(14),
      enforceSSL: true,
      removalPolicy: removal,
    });
  }

  /** Lets one EventBridge rule send its undeliverable events here (queue policy on its ARN). */
  allowRule(ruleArn: string): void {
    this.queue.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: `AllowRule${String(this.queue.node.children.length)}`,
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [this.queue.queueArn],
        conditions: { ArnEquals: { 'aws:SourceArn': ruleArn } },
      }),
    );
  }

  /** Lets a principal (a function's role, for its on-failure destination) send messages. */
  grantSendMessages(grantee: iam.IGrantable): void {
    this.queue.grantSendMessages(grantee);
  }
}
