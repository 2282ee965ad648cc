import { Arn, ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import type { TaskflowConfig } from '../config/config.schema';
import { HEALTH_PATH } from './api-rest-api.construct';

/** Props of {@link ApiCustomDomain}. */
export interface ApiCustomDomainProps {
  readonly domain: NonNullable<TaskflowConfig['customDomain']>;
  readonly api: apigateway.RestApi;
  readonly stage: apigateway.Stage;
  /** Serve IPv6 too (an AAAA record beside the A record). */
  readonly dualStack: boolean;
}

/**
 * The API under its own name in this region: a regional custom domain (TLS 1.2) mapped to the
 * stage, and A (and, dual-stack, AAAA) alias records with latency routing whose set identifier is the region, so
 * every region's API answers the one name and each caller reaches the nearest. With health
 * checks, each region's records carry a Route 53 health check of that region's own
 * `GET /<stage>/health` (on the execute-api host, not the shared name), so Route 53 stops
 * answering with a region whose API or database is down.
 */
export class ApiCustomDomain extends Construct {
  readonly domainName: apigateway.DomainName;
  readonly certificate: acm.ICertificate;
  readonly healthCheck: route53.HealthCheck | null;

  constructor(scope: Construct, id: string, props: ApiCustomDomainProps) {
    super(scope, id);
    const { domain, api, stage } = props;
    const region = Stack.of(this).region;
    const zone = route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', {
      hostedZoneId: domain.hostedZoneId,
      zoneName: domain.hostedZoneName,
    });
    // A regional endpoint needs a certificate of its own region.
    const given = domain.certificateArn;
    this.certificate =
      given !== undefined && Arn.split(given, ArnFormat.SLASH_RESOURCE_NAME).region === region
        ? acm.Certificate.fromCertificateArn(this, 'Certificate', given)
        : new acm.Certificate(this, 'Certificate', {
            domainName: domain.domainName,
            validation: acm.CertificateValidation.fromDns(zone),
          });
    this.domainName = new apigateway.DomainName(this, 'DomainName', {
      domainName: domain.domainName,
      certificate: this.certificate,
      endpointType: apigateway.EndpointType.REGIONAL,
      securityPolicy: apigateway.SecurityPolicy.TLS_1_2,
    });
    if (props.dualStack)
      // The L2 has no ipAddressType yet; CloudFormation's DomainName does.
      (this.domainName.node.defaultChild as apigateway.CfnDomainName).addPropertyOverride(
        'EndpointConfiguration.IpAddressType',
        apigateway.IpAddressType.DUAL_STACK,
      );
    this.domainName.addBasePathMapping(api, { stage });

    this.healthCheck = domain.healthChecks
      ? new route53.HealthCheck(this, 'HealthCheck', {
          type: route53.HealthCheckType.HTTPS,
          fqdn: `${api.restApiId}.execute-api.${region}.${Stack.of(this).urlSuffix}`,
          port: 443,
          resourcePath: `/${stage.stageName}/${HEALTH_PATH}`,
          enableSNI: true,
          requestInterval: Duration.seconds(30),
          failureThreshold: 3,
        })
      : null;
    const record = {
      zone,
      recordName: domain.domainName,
      target: route53.RecordTarget.fromAlias(new targets.ApiGatewayDomain(this.domainName)),
      region,
      setIdentifier: region,
      ...(this.healthCheck === null ? {} : { healthCheck: this.healthCheck }),
    };
    new route53.ARecord(this, 'AliasA', record);
    if (props.dualStack) new route53.AaaaRecord(this, 'AliasAaaa', record);
  }

  /** `https://<name>` (the stage is mapped at the root). */
  get url(): string {
    return `https://${this.domainName.domainName}`;
  }
}
