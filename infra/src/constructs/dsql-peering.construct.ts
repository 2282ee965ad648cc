import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { DsqlDatabase } from './dsql-database.construct';

/** Props of {@link DsqlPeering}. */
export interface DsqlPeeringProps {
  /** The first region's cluster, which the template could not peer (it came first). */
  readonly primary: {
    readonly region: string;
    readonly clusterId: string;
    readonly clusterArn: string;
  };
  /** This region's cluster, already created naming the primary as its peer. */
  readonly secondary: DsqlDatabase;
  readonly witnessRegion: string;
}

/**
 * Completes a two-region DSQL pair. Peering is mutual: each cluster lists the other, which in
 * one CloudFormation pass is a reference cycle. So the primary is created with the witness only,
 * the secondary is created naming the primary, and this resource (in the secondary's stack)
 * calls `dsql:UpdateCluster` on the primary, in the primary's region, to name the secondary.
 * Both clusters then list each other and the same witness region.
 *
 * The primary's template still lists no peer: change that cluster's multi-region settings only
 * through this resource, never in the primary stack, or a deploy of that stack could unpeer it.
 */
export class DsqlPeering extends Construct {
  readonly resource: cr.AwsCustomResource;

  constructor(scope: Construct, id: string, props: DsqlPeeringProps) {
    super(scope, id);
    const { primary, secondary, witnessRegion } = props;
    const call: cr.AwsSdkCall = {
      service: 'DSQL',
      action: 'UpdateCluster',
      region: primary.region,
      parameters: {
        identifier: primary.clusterId,
        multiRegionProperties: { witnessRegion, clusters: [secondary.clusterArn] },
      },
      physicalResourceId: cr.PhysicalResourceId.of(`${primary.clusterId}-peered`),
    };
    // Its own role and log group: the default role carries AWSLambdaBasicExecutionRole.
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_MONTH });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Taskflow: peers the primary DSQL cluster with this region',
    });
    logGroup.grantWrite(role);
    this.resource = new cr.AwsCustomResource(this, 'PeerPrimary', {
      onCreate: call,
      onUpdate: call,
      // The Node.js runtime's bundled SDK v3 includes the DSQL client; downloading the latest
      // at deploy time would make the deployment depend on the npm registry.
      installLatestAwsSdk: false,
      role,
      logGroup,
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        // Updating the primary's peers needs these on both clusters of the pair.
        new iam.PolicyStatement({
          actions: [
            'dsql:UpdateCluster',
            'dsql:PutMultiRegionProperties',
            'dsql:PutWitnessRegion',
            'dsql:AddPeerCluster',
          ],
          resources: [primary.clusterArn, secondary.clusterArn],
        }),
      ]),
    });
    this.resource.node.addDependency(secondary.cluster);
  }
}
