import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { logRetention, type TaskflowConfig } from '../config/config.schema';
import type { FunctionNetwork } from './taskflow-function.construct';

/** The AWS APIs the functions and the rotation function reach through interface endpoints. */
export const INTERFACE_ENDPOINTS = {
  SecretsManager: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
  EventBridge: ec2.InterfaceVpcEndpointAwsService.EVENTBRIDGE,
  XRay: ec2.InterfaceVpcEndpointAwsService.XRAY,
  CloudWatchLogs: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
  Sts: ec2.InterfaceVpcEndpointAwsService.STS,
} as const;

/** Props of {@link TaskflowNetwork}. */
export interface TaskflowNetworkProps {
  readonly config: TaskflowConfig;
}

/**
 * The VPC the aurora-postgresql engine needs: isolated subnets for the database, private
 * subnets for the functions, public ones only for the NAT gateways. Secrets Manager,
 * EventBridge, X-Ray, CloudWatch Logs and STS are reached through interface endpoints, so
 * credential fetches, rotation and publishing stay off the internet; the NAT serves what no
 * endpoint does (the broadcaster's calls to the API Gateway Management API).
 *
 * The functions' security group allows out only HTTPS (endpoints, NAT) and PostgreSQL to the
 * database's group; the endpoints admit HTTPS only from the groups given access.
 */
export class TaskflowNetwork extends Construct {
  readonly vpc: ec2.Vpc;
  /** The group every Taskflow function in this VPC runs with. */
  readonly functionSecurityGroup: ec2.SecurityGroup;
  /** Where functions run: private subnets with a route to the NAT. */
  readonly functionSubnets: ec2.SubnetSelection = {
    subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS,
  };
  /** Where the database runs: no route out at all. */
  readonly databaseSubnets: ec2.SubnetSelection = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
  readonly endpoints: readonly ec2.InterfaceVpcEndpoint[];
  /** The Secrets Manager endpoint, which the rotation function is told to call. */
  readonly secretsManagerEndpoint: ec2.InterfaceVpcEndpoint;

  constructor(scope: Construct, id: string, props: TaskflowNetworkProps) {
    super(scope, id);
    const { config } = props;
    const flowLogs = new logs.LogGroup(this, 'FlowLogs', {
      retention: logRetention(config),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(config.network.vpcCidr),
      maxAzs: config.network.maxAzs,
      natGateways: config.network.natGateways,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'functions', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
        { name: 'database', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
      // Flow logs: the only record of what tried to reach the database or leave the VPC.
      flowLogs: {
        all: {
          destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs),
          trafficType: ec2.FlowLogTrafficType.REJECT,
        },
      },
      restrictDefaultSecurityGroup: true,
    });
    this.functionSecurityGroup = new ec2.SecurityGroup(this, 'FunctionSecurityGroup', {
      vpc: this.vpc,
      description: 'Taskflow functions: HTTPS to AWS APIs, PostgreSQL to the database',
      allowAllOutbound: false,
    });
    this.functionSecurityGroup.addEgressRule(
      ec2.Peer.anyIpv4(),
      ec2.Port.tcp(443),
      'AWS APIs through the endpoints and the NAT',
    );
    this.endpoints = Object.entries(INTERFACE_ENDPOINTS).map(([name, service]) => {
      const endpoint = this.vpc.addInterfaceEndpoint(name, {
        service,
        subnets: this.functionSubnets,
        privateDnsEnabled: true,
        // Closed by default; groups are let in by allowEndpointsFrom().
        open: false,
      });
      endpoint.connections.allowDefaultPortFrom(this.functionSecurityGroup, 'Taskflow functions');
      return endpoint;
    });
    const secretsManager = this.endpoints[0];
    if (secretsManager === undefined) throw new Error('the Secrets Manager endpoint is missing');
    this.secretsManagerEndpoint = secretsManager;
  }

  /** Lets another group (the rotation function's) reach the interface endpoints over HTTPS. */
  allowEndpointsFrom(peer: ec2.IConnectable, description: string): void {
    for (const endpoint of this.endpoints)
      endpoint.connections.allowDefaultPortFrom(peer, description);
  }

  /** The placement of a Taskflow function in this VPC. */
  get functionNetwork(): FunctionNetwork {
    return {
      vpc: this.vpc,
      subnets: this.functionSubnets,
      securityGroups: [this.functionSecurityGroup],
    };
  }
}
