import { CustomResource, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { logRetention, type TaskflowConfig } from '../config/config.schema';
import {
  type ConnectableDatabase,
  type FunctionNetwork,
  TaskflowFunction,
} from './taskflow-function.construct';

/** Props of {@link SchemaMigration}. */
export interface SchemaMigrationProps {
  readonly config: TaskflowConfig;
  readonly bundleDir: string;
  readonly database: ConnectableDatabase;
  readonly network?: FunctionNetwork;
  /**
   * Changes on every deployment (the CLI app passes the deploy time), so the custom resource
   * updates, and the migrator runs, on every `cdk deploy`: a schema change can never be
   * skipped because nothing else in this stack changed.
   */
  readonly deploymentId: string;
}

/**
 * The database schema as a custom resource: the migrator function (apps/lambda-migrator) is the CDK
 * Provider's onEvent handler; Create and Update apply every pending migration (and, with
 * `config.sampleData`, register the missing sample users), Delete keeps the data. A failed migration fails the resource, so CloudFormation fails (and rolls back)
 * the deployment instead of starting code against an old schema.
 */
export class SchemaMigration extends Construct {
  readonly migrator: TaskflowFunction;
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: SchemaMigrationProps) {
    super(scope, id);
    const { config } = props;
    this.migrator = new TaskflowFunction(this, 'Migrator', {
      app: 'migrator',
      config,
      bundleDir: props.bundleDir,
      description: 'Taskflow: applies pending database migrations (CloudFormation custom resource)',
      // Index builds and waiting for another migrator's lock may take minutes; a resuming
      // auto-paused Aurora takes about 15 s before the first connection.
      timeout: Duration.minutes(10),
      reservedConcurrency: null,
      ...(props.network === undefined ? {} : { network: props.network }),
    }).bindDatabase(props.database);
    const providerLogs = new logs.LogGroup(this, 'ProviderLogs', {
      retention: logRetention(config),
    });
    // The framework's own role, instead of the default one with AWSLambdaBasicExecutionRole:
    // it writes to its log group only (the Provider adds the invoke grant on the migrator).
    const frameworkRole = new iam.Role(this, 'ProviderRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Taskflow schema migration: the CDK Provider framework',
    });
    providerLogs.grantWrite(frameworkRole);
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.migrator,
      logGroup: providerLogs,
      frameworkOnEventRole: frameworkRole,
    });
    Validations.of(frameworkRole).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.migrator.node.defaultChild as lambda.CfnFunction)}.Arn>:*]`,
      reason:
        "The Provider framework grants lambda:InvokeFunction on the migrator's versions and aliases (`:*`): it is the migrator function only",
    });
    this.resource = new CustomResource(this, 'Schema', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::TaskflowSchema',
      properties: {
        DeploymentId: props.deploymentId,
        // CloudFormation passes properties as strings; the migrator accepts only these two.
        SampleData: config.sampleData ? 'true' : 'false',
      },
    });
  }
}
