import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { AuroraConfig, TaskflowConfig } from '../config/config.schema';
import {
  acknowledgeDeletionProtection,
  admitFunctions,
  AURORA_DATABASE,
  AURORA_ENGINE_VERSION,
  auroraParameters,
  grantAuroraConnect,
} from './aurora-database.construct';
import type { ConnectableDatabase, TaskflowFunction } from './taskflow-function.construct';
import type { TaskflowNetwork } from './taskflow-network.construct';

/** Props of {@link AuroraSecondaryDatabase}. */
export interface AuroraSecondaryDatabaseProps {
  readonly config: TaskflowConfig;
  readonly database: AuroraConfig;
  readonly key: kms.IKey;
  readonly network: TaskflowNetwork;
  /** The global database the primary region's stack creates. */
  readonly globalClusterIdentifier: string;
  /** The primary's credentials secret, replicated to this region under the same name. */
  readonly secretName: string;
}

/**
 * The second region's cluster of an Aurora global database. It is built from L1 resources
 * because the L2 cluster always generates master credentials, and a global secondary must not
 * set any: users, passwords and data all come from the primary by storage replication.
 *
 * Writes made here are forwarded to the primary (global write forwarding, session
 * consistency), so the functions of this region use their local cluster for everything. The
 * credentials are the primary's secret's replica in this region; its `host` names the primary,
 * which is why `DATABASE_HOST` points the functions at this cluster.
 */
export class AuroraSecondaryDatabase extends Construct implements ConnectableDatabase {
  /** The database engine. */
  readonly engine = 'aurora-postgresql' as const;
  readonly cluster: rds.CfnDBCluster;
  readonly securityGroup: ec2.SecurityGroup;
  /** The replica of the primary's credentials secret in this region. */
  readonly secret: secretsmanager.ISecret;

  constructor(scope: Construct, id: string, props: AuroraSecondaryDatabaseProps) {
    super(scope, id);
    const { config, database, key, network } = props;
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: network.vpc,
      description: 'Taskflow Aurora secondary cluster: PostgreSQL from the functions only',
      allowAllOutbound: false,
    });
    admitFunctions(this.securityGroup, network, 'the database');

    const subnets = new rds.CfnDBSubnetGroup(this, 'Subnets', {
      dbSubnetGroupDescription: 'Taskflow Aurora secondary: isolated subnets',
      subnetIds: network.vpc.selectSubnets(network.databaseSubnets).subnetIds,
    });
    const parameters = auroraParameters(this, 'Parameters');
    this.cluster = new rds.CfnDBCluster(this, 'Cluster', {
      engine: 'aurora-postgresql',
      engineVersion: AURORA_ENGINE_VERSION.auroraPostgresFullVersion,
      globalClusterIdentifier: props.globalClusterIdentifier,
      enableGlobalWriteForwarding: true,
      dbClusterParameterGroupName: parameters.bindToCluster({}).parameterGroupName,
      dbSubnetGroupName: subnets.ref,
      vpcSecurityGroupIds: [this.securityGroup.securityGroupId],
      port: AURORA_DATABASE.port,
      storageEncrypted: true,
      kmsKeyId: key.keyArn,
      enableIamDatabaseAuthentication: true,
      serverlessV2ScalingConfiguration: {
        minCapacity: database.minCapacity,
        maxCapacity: database.maxCapacity,
      },
      backupRetentionPeriod: database.backupRetentionDays,
      enableCloudwatchLogsExports: ['postgresql'],
      deletionProtection: config.deletionProtection,
      copyTagsToSnapshot: true,
      performanceInsightsEnabled: true,
      performanceInsightsKmsKeyId: key.keyArn,
      performanceInsightsRetentionPeriod: database.performanceInsightsRetentionDays,
    });
    acknowledgeDeletionProtection(this.cluster, config);
    this.cluster.applyRemovalPolicy(
      config.deletionProtection ? RemovalPolicy.SNAPSHOT : RemovalPolicy.DESTROY,
    );
    for (let i = 0; i <= database.readers; i++) {
      const instance = new rds.CfnDBInstance(this, i === 0 ? 'Instance' : `Reader${String(i)}`, {
        dbClusterIdentifier: this.cluster.ref,
        dbInstanceClass: 'db.serverless',
        engine: 'aurora-postgresql',
        publiclyAccessible: false,
        autoMinorVersionUpgrade: true,
      });
      instance.applyRemovalPolicy(RemovalPolicy.DESTROY);
    }
    this.secret = secretsmanager.Secret.fromSecretNameV2(this, 'Secret', props.secretName);
  }

  /** {@link grantAuroraConnect} with the replicated secret, to this region's cluster. */
  grantConnect(fn: TaskflowFunction): void {
    grantAuroraConnect(fn, this.secret, this.cluster.attrEndpointAddress);
  }
}
