import { CfnOutput, Duration, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import type { TaskflowConfig } from '../config/config.schema';
import { taskflowWafRules, wafVisibility } from './api-web-acl.construct';
import { hostedUiOrigin } from './cognito-user-pool.construct';
import { acknowledgeFindings } from './nag-findings';
import { SPA_FALLBACK_FUNCTION_CODE } from './web-spa-fallback.function';

/** Where the board's hashed files live (Vite's `build.assetsDir`): cached for a year. */
export const WEB_ASSETS_PATH = 'assets';

/** `Cache-Control` of the hashed files: their name changes with their content. */
export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable';
/** `Cache-Control` of everything else (index.html, config.json): revalidate every time. */
export const REVALIDATE_CACHE_CONTROL = 'no-cache';

/** The configured price class as CDK's enum. */
const PRICE_CLASSES: Readonly<Record<TaskflowConfig['web']['priceClass'], cloudfront.PriceClass>> =
  {
    PriceClass_100: cloudfront.PriceClass.PRICE_CLASS_100,
    PriceClass_200: cloudfront.PriceClass.PRICE_CLASS_200,
    PriceClass_All: cloudfront.PriceClass.PRICE_CLASS_ALL,
  };

/** The region a CloudFront web ACL must be created in. */
const CLOUDFRONT_WAF_REGION = 'us-east-1';

/** Props of {@link WebHosting}. */
export interface WebHostingProps {
  readonly config: TaskflowConfig;
}

/**
 * The origin the board calls the API at, for its Content-Security-Policy: the custom domain
 * when there is one (exact), else any REST API of the primary region. The API's id is only
 * known once the api stack exists, which itself needs this distribution's name for its
 * callback URLs and CORS, so the policy names the narrowest pattern that holds it.
 */
export function boardApiOrigin(config: TaskflowConfig, urlSuffix: string): string {
  const domain = config.customDomain;
  return domain === undefined
    ? `https://*.execute-api.${config.regions.primary}.${urlSuffix}`
    : `https://${domain.domainName}`;
}

/**
 * The origin the board follows projects live at (config.json's `liveUrl`), for its
 * Content-Security-Policy: any WebSocket API of the primary region. Its id is made by the
 * realtime stack, which comes after this distribution's foundation, and the custom domain
 * (when there is one) maps the REST API only, never the WebSocket API: no exact origin is
 * known here in either case, so the policy names the narrowest pattern that holds it.
 */
export function boardLiveOrigin(config: TaskflowConfig, urlSuffix: string): string {
  return `wss://*.execute-api.${config.regions.primary}.${urlSuffix}`;
}

/**
 * The board's Content-Security-Policy: its own files only (no inline script or style, no
 * `eval`), calls to itself, the API, the WebSocket API of live updates and the hosted UI's
 * token endpoint, never framed.
 */
export function boardContentSecurityPolicy(
  apiOrigin: string,
  signInOrigin: string,
  liveOrigin: string,
): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self' ${apiOrigin} ${liveOrigin} ${signInOrigin}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    'upgrade-insecure-requests',
  ].join('; ');
}

/**
 * Where the web board is served from: a private S3 bucket (no public access, TLS only, S3-managed
 * encryption, no website hosting) read by one CloudFront distribution through Origin Access
 * Control, so the bucket policy lets that distribution, and nothing else, read it.
 *
 * The distribution redirects HTTP to HTTPS, rewrites the board's routes to `/index.html` with
 * a CloudFront Function (see {@link SPA_FALLBACK_FUNCTION_CODE}), caches `/assets/*` for a year
 * and tells browsers they are immutable, revalidates everything else (index.html, config.json),
 * and adds security headers to every answer. Its standard logs, and the bucket's access logs,
 * go to a log bucket kept for the log retention. With `config.api.waf` and a primary region of
 * us-east-1 it has a web ACL with the API's rules.
 *
 * It lives in the primary region's foundation, before the api stack, which adds its origin to
 * the user pool client's callback and logout URLs and to the API's CORS origins; the web stack
 * after the api stack uploads the files and `config.json`.
 */
export class WebHosting extends Construct {
  readonly bucket: s3.Bucket;
  readonly logBucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly spaFallback: cloudfront.Function;
  readonly pageHeaders: cloudfront.ResponseHeadersPolicy;
  readonly assetHeaders: cloudfront.ResponseHeadersPolicy;
  readonly webAcl: wafv2.CfnWebACL | null;
  /** The export holding the bucket's ARN, `<project>-<stage>-web-bucket-arn`. */
  readonly bucketArnExportName: string;

  constructor(scope: Construct, id: string, props: WebHostingProps) {
    super(scope, id);
    const { config } = props;
    const stack = Stack.of(this);
    const name = `${config.projectName}-${config.stage}-web`;

    // Kept when the stack goes, in every stage: a bucket with objects cannot be deleted by
    // CloudFormation, and the files are rebuilt from git (docs/deploy.md, Tear down).
    this.logBucket = new s3.Bucket(this, 'Logs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      // CloudFront's standard logs are written with an ACL: the bucket must accept ACLs.
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(config.logRetentionDays) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledgeFindings(this.logBucket, {
      S1: "This is the log bucket: it receives the board bucket's access logs and the distribution's standard logs; logging its own access would log every log delivery",
    });
    this.bucket = new s3.Bucket(this, 'Site', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 's3/',
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.bucketArnExportName = `${name}-bucket-arn`;
    new CfnOutput(this, 'BucketArn', {
      value: this.bucket.bucketArn,
      exportName: this.bucketArnExportName,
    });

    this.spaFallback = new cloudfront.Function(this, 'SpaFallback', {
      comment: 'Taskflow board: routes without a file extension are served /index.html',
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(SPA_FALLBACK_FUNCTION_CODE),
    });

    const csp = boardContentSecurityPolicy(
      boardApiOrigin(config, stack.urlSuffix),
      hostedUiOrigin(config, config.regions.primary),
      boardLiveOrigin(config, stack.urlSuffix),
    );
    this.pageHeaders = this.headersPolicy('PageHeaders', csp, REVALIDATE_CACHE_CONTROL);
    this.assetHeaders = this.headersPolicy('AssetHeaders', csp, IMMUTABLE_CACHE_CONTROL);
    const compressed = {
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
      cookieBehavior: cloudfront.CacheCookieBehavior.none(),
      headerBehavior: cloudfront.CacheHeaderBehavior.none(),
      queryStringBehavior: cloudfront.CacheQueryStringBehavior.none(),
    };
    // A TTL of 0 still caches, but asks S3 (conditionally) on every request: a deploy shows at
    // once, even before its invalidation of /index.html and /config.json completes.
    const pageCache = new cloudfront.CachePolicy(this, 'PageCache', {
      comment: 'Taskflow board pages: revalidated with the bucket on every request',
      minTtl: Duration.seconds(0),
      defaultTtl: Duration.seconds(0),
      maxTtl: Duration.days(1),
      ...compressed,
    });
    const year = Duration.days(365);
    const assetCache = new cloudfront.CachePolicy(this, 'AssetCache', {
      comment: 'Taskflow board assets: content-hashed names, kept a year',
      minTtl: year,
      defaultTtl: year,
      maxTtl: year,
      ...compressed,
    });

    this.webAcl =
      config.api.waf && stack.region === CLOUDFRONT_WAF_REGION
        ? new wafv2.CfnWebACL(this, 'WebAcl', {
            name,
            description: 'Taskflow board: AWS managed rules and a per-address rate limit',
            scope: 'CLOUDFRONT',
            defaultAction: { allow: {} },
            visibilityConfig: wafVisibility(name),
            rules: taskflowWafRules(),
          })
        : null;

    const origin = origins.S3BucketOrigin.withOriginAccessControl(this.bucket);
    const viewer = {
      origin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
      cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD,
      compress: true,
    };
    const countries = config.web.allowedCountries;
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `Taskflow ${config.stage} web board`,
      defaultRootObject: 'index.html',
      defaultBehavior: {
        ...viewer,
        cachePolicy: pageCache,
        responseHeadersPolicy: this.pageHeaders,
        functionAssociations: [
          { eventType: cloudfront.FunctionEventType.VIEWER_REQUEST, function: this.spaFallback },
        ],
      },
      additionalBehaviors: {
        [`/${WEB_ASSETS_PATH}/*`]: {
          ...viewer,
          cachePolicy: assetCache,
          responseHeadersPolicy: this.assetHeaders,
        },
      },
      priceClass: PRICE_CLASSES[config.web.priceClass],
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      enableIpv6: true,
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'cloudfront/',
      logIncludesCookies: false,
      ...(countries.length === 0
        ? {}
        : { geoRestriction: cloudfront.GeoRestriction.allowlist(...countries) }),
      ...(this.webAcl === null ? {} : { webAclId: this.webAcl.attrArn }),
    });
    this.acknowledge(config, stack.region);
  }

  /**
   * The bucket as another stack of the same region imports it: by the ARN this construct
   * exports under {@link bucketArnExportName}, a name of Taskflow's own (CloudFormation still
   * refuses to drop the export while a stack imports it). A reference CDK generates would be
   * exported under a generated name, which the importer's cdk-nag acknowledgements could not
   * spell.
   */
  importBucket(scope: Construct, id: string): s3.IBucket {
    return s3.Bucket.fromBucketArn(scope, id, Fn.importValue(this.bucketArnExportName));
  }

  /** `https://<distribution domain>`: the board's origin, without a trailing slash. */
  get origin(): string {
    return `https://${this.distribution.distributionDomainName}`;
  }

  /** The security headers of every answer, and `Cache-Control` for this behaviour's files. */
  private headersPolicy(
    id: string,
    contentSecurityPolicy: string,
    cacheControl: string,
  ): cloudfront.ResponseHeadersPolicy {
    return new cloudfront.ResponseHeadersPolicy(this, id, {
      comment: `Taskflow board: security headers, Cache-Control ${cacheControl}`,
      securityHeadersBehavior: {
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(730),
          includeSubdomains: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        // The callback URL carries the authorization code: never send it anywhere.
        referrerPolicy: {
          referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER,
          override: true,
        },
        contentSecurityPolicy: { contentSecurityPolicy, override: true },
      },
      customHeadersBehavior: {
        customHeaders: [
          { header: 'Cache-Control', value: cacheControl, override: true },
          {
            header: 'Permissions-Policy',
            value: 'camera=(), microphone=(), geolocation=(), payment=()',
            override: true,
          },
          { header: 'Cross-Origin-Opener-Policy', value: 'same-origin', override: true },
        ],
      },
    });
  }

  private acknowledge(config: TaskflowConfig, region: string): void {
    const reasons: Record<string, string> = {
      CFR4: "The distribution answers on its *.cloudfront.net name with CloudFront's own certificate, for which CloudFront fixes the security policy (a minimum protocol version can be chosen only with a certificate of one's own, and config.web has no custom domain); browsers negotiate TLS 1.2 or 1.3 with it",
    };
    if (config.web.allowedCountries.length === 0)
      reasons['CFR1'] =
        "The board is used wherever a team's members are; config.web.allowedCountries restricts it to a list of countries where a deployment has one";
    if (this.webAcl === null)
      reasons['CFR2'] = config.api.waf
        ? `A CloudFront web ACL must be created in ${CLOUDFRONT_WAF_REGION}, and this deployment's primary region is ${region}: the distribution serves static files only, and every API call still meets the REST API's own regional web ACL and throttle`
        : 'No web ACL in this stage (config.api.waf is off: WAF bills per ACL, rule and request); the distribution serves static files only, and the API behind the board has its own throttle';
    acknowledgeFindings(this.distribution, reasons);
  }
}
