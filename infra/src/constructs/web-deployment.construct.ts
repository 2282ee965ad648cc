import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DefaultStackSynthesizer, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { logRetention, type TaskflowConfig } from '../config/config.schema';
import { acknowledgeFindings } from './nag-findings';
import type { BoardConfig } from './web-board-config';
import { WEB_ASSETS_PATH, type WebHosting } from './web-hosting.construct';

/** The paths a deployment invalidates: the only files whose names do not change. */
export const BOARD_INVALIDATION_PATHS = ['/index.html', '/config.json'] as const;

/** Props of {@link WebBoardDeployment}. */
export interface WebBoardDeploymentProps {
  readonly config: TaskflowConfig;
  readonly hosting: WebHosting;
  /** The board's Vite build (`dist/apps/web`: index.html and assets/). */
  readonly webDir: string;
  /** Written as `/config.json` beside index.html, with the deploy-time values resolved. */
  readonly boardConfig: BoardConfig;
}

/**
 * Uploads the board's build to its bucket, in two steps: first the content-hashed
 * `assets/` (never pruned, so a tab still running the previous build can load its chunks),
 * then the pages, `index.html` and the generated `config.json`, pruning every other file
 * outside `assets/` and invalidating {@link BOARD_INVALIDATION_PATHS} in the distribution. The
 * new index.html is therefore never served before the files it names.
 *
 * Caching is the distribution's (cache and response headers policies per path), not object
 * metadata, so that one place says how each file is cached.
 */
export class WebBoardDeployment extends Construct {
  readonly assets: s3deploy.BucketDeployment;
  readonly pages: s3deploy.BucketDeployment;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: WebBoardDeploymentProps) {
    super(scope, id);
    const { config, hosting, webDir } = props;
    const assetsDir = join(webDir, WEB_ASSETS_PATH);
    if (!existsSync(join(webDir, 'index.html')) || !existsSync(assetsDir))
      throw new Error(
        `no web build at ${webDir} (index.html and ${WEB_ASSETS_PATH}/): run \`npx nx run web:build\` first`,
      );

    // The handler's own role and log group, instead of the default role with
    // AWSLambdaBasicExecutionRole and a log group without retention.
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logRetention(config),
      removalPolicy: config.deletionProtection ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Taskflow web: copies the board into its bucket and invalidates its pages',
    });
    logGroup.grantWrite(this.role);
    const bucket = hosting.importBucket(this, 'Site');
    const handler = { role: this.role, logGroup, destinationBucket: bucket };

    this.assets = new s3deploy.BucketDeployment(this, 'Assets', {
      ...handler,
      sources: [s3deploy.Source.asset(assetsDir)],
      destinationKeyPrefix: `${WEB_ASSETS_PATH}/`,
      prune: false,
    });
    this.pages = new s3deploy.BucketDeployment(this, 'Pages', {
      ...handler,
      sources: [
        s3deploy.Source.asset(webDir, { exclude: [WEB_ASSETS_PATH] }),
        s3deploy.Source.jsonData('config.json', props.boardConfig),
      ],
      prune: true,
      // Left alone by this step's sync, so its pruning keeps every build's assets.
      exclude: [`${WEB_ASSETS_PATH}/*`],
      distribution: hosting.distribution,
      distributionPaths: [...BOARD_INVALIDATION_PATHS],
    });
    this.pages.node.addDependency(this.assets);
    this.acknowledge(hosting);
  }

  /** What cdk-nag finds in the grants BucketDeployment gives its handler, and why they stand. */
  private acknowledge(hosting: WebHosting): void {
    const stack = Stack.of(this);
    const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
    const assetBucket = `cdk-${bootstrapQualifier(stack)}-assets-${account}-${stack.region}`;
    acknowledgeFindings(this.role, {
      'IAM5[Action::s3:GetObject*]':
        "BucketDeployment's read grant (s3:GetObject*, GetBucket*, List*): it reads the board's zipped build from the bootstrap asset bucket and lists the board bucket to sync it, on those two buckets only",
      'IAM5[Action::s3:GetBucket*]':
        "BucketDeployment's read grant: the bucket's location and versioning, which the AWS CLI's sync reads, on the asset and board buckets only",
      'IAM5[Action::s3:List*]':
        "BucketDeployment's read grant: sync lists the board bucket to find what changed and what to prune, and the source zip's bucket, on those two buckets only",
      'IAM5[Action::s3:DeleteObject*]':
        'Pruning deletes the files of earlier builds outside assets/ from the board bucket (that bucket only)',
      'IAM5[Action::s3:Abort*]':
        "The AWS CLI's sync aborts its own multipart uploads when one fails, in the board bucket only",
      [`IAM5[Resource::arn:<AWS::Partition>:s3:::${assetBucket}/*]`]:
        "The CDK bootstrap asset bucket's objects: the zips of this deployment are named by content hash, so no narrower ARN exists before synth",
      [`IAM5[Resource::${hosting.bucketArnExportName}/*]`]:
        "Every object of the board's own bucket, which holds nothing but the board: the deployment writes and prunes file names that change with each build",
      'IAM5[Resource::*]':
        "BucketDeployment grants cloudfront:CreateInvalidation and GetInvalidation on *; those two actions only expire cached copies of the board's pages and read the invalidation's status",
    });
    // The handler is CDK's singleton for every BucketDeployment of the stack (Python and the
    // AWS CLI layer it ships): its runtime moves with aws-cdk-lib, not with this code.
    const handlerFunction = stack.node
      .findAll()
      .find((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'));
    if (handlerFunction !== undefined)
      acknowledgeFindings(handlerFunction, {
        L1: "CDK's BucketDeployment handler runs the Python runtime aws-cdk-lib pins it to, with the AWS CLI layer it bundles; it moves forward with aws-cdk-lib upgrades, not with Taskflow's code",
      });
  }
}

/** The bootstrap qualifier of the stack's synthesizer (CDK's default `hnb659fds` otherwise). */
function bootstrapQualifier(stack: Stack): string {
  const { synthesizer } = stack;
  return (
    (synthesizer instanceof DefaultStackSynthesizer ? synthesizer.bootstrapQualifier : undefined) ??
    DefaultStackSynthesizer.DEFAULT_QUALIFIER
  );
}
