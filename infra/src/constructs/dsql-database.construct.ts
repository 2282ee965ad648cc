import { Aws, Stack } from 'aws-cdk-lib';
import * as dsql from 'aws-cdk-lib/aws-dsql';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { TaskflowConfig } from '../config/config.schema';
import {
  type ConnectableDatabase,
  FUNCTION_DATABASE_ENVIRONMENT,
  type TaskflowFunction,
} from './taskflow-function.construct';
import { serviceStatement } from './service-statement';

/** DSQL's only database, and the port it listens on. */
export const DSQL_DATABASE = { name: 'postgres', port: 5432 } as const;
/**
 * The database user the functions connect as. DSQL's built-in `admin`: a least-privilege
 * application role needs SQL the migrator does not run yet (`CREATE ROLE … WITH LOGIN` and
 * `AWS IAM GRANT … TO '<function role ARN>'`).
 */
export const DSQL_USER = 'admin';

/** Props of {@link DsqlDatabase}. */
export interface DsqlDatabaseProps {
  readonly config: TaskflowConfig;
  readonly key: kms.IKey;
  /**
   * Two-region mode: the witness region, and for the second region's cluster the first
   * cluster's ARN (the first cluster cannot name the second: it does not exist yet; the
   * second region's stack peers it back, see `DsqlPeering`).
   */
  readonly multiRegion?: { readonly witnessRegion: string; readonly peerClusterArn?: string };
}

/**
 * An Aurora DSQL cluster (L1 only: CloudFormation's `AWS::DSQL::Cluster`), encrypted with the
 * stack's key, deletion protection from the configuration. Serverless and public-endpoint: no
 * VPC, NAT or pool; the functions authenticate with short-lived IAM tokens over TLS.
 */
export class DsqlDatabase extends Construct implements ConnectableDatabase {
  /** The database engine. */
  readonly engine = 'dsql' as const;
  readonly cluster: dsql.CfnCluster;
  /** `arn:aws:dsql:<region>:<account>:cluster/<identifier>`. */
  readonly clusterArn: string;
  /** The cluster's PostgreSQL endpoint host name. */
  readonly endpoint: string;

  constructor(scope: Construct, id: string, props: DsqlDatabaseProps) {
    super(scope, id);
    const { config, key } = props;
    // DSQL encrypts with a customer managed key on the caller's behalf as the service principal
    // (condition-scoped to this account's clusters in this region).
    key.addToResourcePolicy(
      serviceStatement({
        sid: 'AllowAuroraDsqlClusters',
        services: ['dsql.amazonaws.com'],
        actions: [
          'kms:Decrypt',
          'kms:Encrypt',
          'kms:GenerateDataKey*',
          'kms:ReEncrypt*',
          'kms:DescribeKey',
        ],
        conditions: {
          ArnLike: {
            'aws:SourceArn': `arn:${Aws.PARTITION}:dsql:${Aws.REGION}:${Aws.ACCOUNT_ID}:cluster/*`,
          },
        },
      }),
    );
    const multi = props.multiRegion;
    this.cluster = new dsql.CfnCluster(this, 'Cluster', {
      deletionProtectionEnabled: config.deletionProtection,
      kmsEncryptionKey: key.keyArn,
      ...(multi === undefined
        ? {}
        : {
            multiRegionProperties: {
              witnessRegion: multi.witnessRegion,
              ...(multi.peerClusterArn === undefined ? {} : { clusters: [multi.peerClusterArn] }),
            },
          }),
      tags: [
        { key: 'Name', value: `${config.projectName}-${config.stage}-${Stack.of(this).region}` },
      ],
    });
    this.clusterArn = this.cluster.attrResourceArn;
    this.endpoint = this.cluster.attrEndpoint;
  }

  /**
   * `dsql:DbConnectAdmin` on this cluster only, with the variables the Lambda runtime needs to
   * sign a fresh token per connection (`DATABASE_AUTH=dsql-iam`). No password exists.
   */
  grantConnect(fn: TaskflowFunction): void {
    fn.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['dsql:DbConnectAdmin'], resources: [this.clusterArn] }),
    );
    const env: Record<string, string> = {
      DATABASE_AUTH: 'dsql-iam',
      DATABASE_DIALECT: 'dsql',
      DSQL_ENDPOINT: this.endpoint,
      DATABASE_USER: DSQL_USER,
      DATABASE_SSL: 'verify',
      ...FUNCTION_DATABASE_ENVIRONMENT,
    };
    for (const [name, value] of Object.entries(env)) fn.addEnvironment(name, value);
  }
}
