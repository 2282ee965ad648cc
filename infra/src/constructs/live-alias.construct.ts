import { Duration, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { TaskflowConfig } from '../config/config.schema';
import type { TaskflowFunction } from './taskflow-function.construct';

/** The alias every trigger (API Gateway, EventBridge, the schedule) invokes. */
export const LIVE_ALIAS = 'live';

/** A function with the alias that takes its traffic (the alias's metrics are the live ones). */
export interface LiveFunction {
  readonly fn: TaskflowFunction;
  readonly live: LiveAlias;
}

/** Props of {@link LiveAlias}. */
export interface LiveAliasProps {
  readonly fn: TaskflowFunction;
  readonly config: TaskflowConfig;
  /**
   * Provisioned concurrency on the alias: the configured amount for functions that answer
   * people (api, ws-connect), 0 for the ones triggered by events or the schedule.
   */
  readonly provisioned: boolean;
}

/** The CodeDeploy configuration of a configured strategy, or null for all-at-once. */
function deploymentConfig(
  strategy: TaskflowConfig['deployment']['strategy'],
): codedeploy.ILambdaDeploymentConfig | null {
  switch (strategy) {
    case 'all-at-once':
      return null;
    case 'canary-10pct-5min':
      return codedeploy.LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES;
    case 'linear-10pct-every-1min':
      return codedeploy.LambdaDeploymentConfig.LINEAR_10PERCENT_EVERY_1MINUTE;
  }
}

/**
 * The `live` alias of a function, on its newest version: triggers invoke the alias, so a new
 * version takes traffic only as the configured strategy lets it. With a canary or linear
 * strategy, CodeDeploy shifts the traffic and rolls back when the alias reports errors during
 * the shift (seed 002's blue-green). Provisioned concurrency, when configured, sits on the
 * alias (a version cannot be changed later; the alias moves with every deployment).
 */
export class LiveAlias extends Construct {
  readonly alias: lambda.Alias;
  /** Errors of the alias in one minute: the rollback alarm of a deployment. */
  readonly deploymentAlarm: cloudwatch.Alarm;
  readonly deploymentGroup: codedeploy.LambdaDeploymentGroup | null;

  constructor(scope: Construct, id: string, props: LiveAliasProps) {
    super(scope, id);
    const { fn, config } = props;
    const provisioned = props.provisioned ? config.lambda.provisionedConcurrency : 0;
    this.alias = new lambda.Alias(this, 'Alias', {
      aliasName: LIVE_ALIAS,
      version: fn.currentVersion,
      description: `The version of ${fn.app} that takes traffic`,
      ...(provisioned > 0 ? { provisionedConcurrentExecutions: provisioned } : {}),
    });
    this.deploymentAlarm = new cloudwatch.Alarm(this, 'DeploymentAlarm', {
      alarmDescription: `${fn.app}: errors on the live alias; a traffic shift in progress rolls back`,
      metric: this.alias.metricErrors({ period: Duration.minutes(1), statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const shift = deploymentConfig(config.deployment.strategy);
    this.deploymentGroup =
      shift === null
        ? null
        : new codedeploy.LambdaDeploymentGroup(this, 'Deployment', {
            alias: this.alias,
            deploymentConfig: shift,
            alarms: [this.deploymentAlarm],
            autoRollback: {
              failedDeployment: true,
              stoppedDeployment: true,
              deploymentInAlarm: true,
            },
          });
    if (this.deploymentGroup !== null)
      Validations.of(this.deploymentGroup.role).acknowledge({
        id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited]',
        reason:
          "CodeDeploy's own policy for Lambda traffic shifting (the Limited variant, without SNS); CDK attaches it to every Lambda deployment group's role, a custom role included",
      });
  }
}
