import { Stack, type StackProps } from 'aws-cdk-lib';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { TaskflowConfig } from '../config/config.schema';
import type { LiveAlias } from '../constructs/live-alias.construct';
import type { TaskflowFunction } from '../constructs/taskflow-function.construct';
import type { FoundationStack } from './foundation.stack';

/** The deployable apps that have a stack of their own in every region. */
export const APP_STACKS = ['api', 'realtime', 'processor', 'relay', 'monitoring'] as const;
/** One app stack. */
export type AppStackKind = (typeof APP_STACKS)[number];

/** Stack name of an app in a region: `<project>-<stage>-<app>-<region>`. */
export function appStackName(config: TaskflowConfig, app: AppStackKind, region: string): string {
  return `${config.projectName}-${config.stage}-${app}-${region}`;
}

/** Props of every app stack: the region's foundation it builds on. */
export interface AppStackProps extends StackProps {
  readonly config: TaskflowConfig;
  readonly foundation: FoundationStack;
  /** The folder holding `apps/lambda-<app>/index.js` for every Lambda app (the repository's `dist`). */
  readonly bundleDir: string;
}

/** What an app stack hands the monitoring stack: its functions and its dead-letter queues. */
export interface MonitoredApp {
  /** Function with the alias that takes its traffic (the alias's metrics are the live ones). */
  readonly functions: readonly { readonly fn: TaskflowFunction; readonly live: LiveAlias }[];
  /** Queues that hold what could not be delivered or processed; any message is an alarm. */
  readonly deadLetterQueues: readonly sqs.IQueue[];
}

/**
 * Base of the api, realtime, processor and relay stacks: one deployable app per stack, so a
 * change to one app's code redeploys only its stack. The foundation (database, secrets, bus)
 * is referenced, never recreated.
 */
export abstract class AppStack extends Stack implements MonitoredApp {
  readonly config: TaskflowConfig;
  readonly foundation: FoundationStack;
  abstract readonly functions: MonitoredApp['functions'];
  abstract readonly deadLetterQueues: readonly sqs.IQueue[];

  protected constructor(scope: Construct, id: string, props: AppStackProps) {
    super(scope, id, props);
    this.config = props.config;
    this.foundation = props.foundation;
    this.addStackDependency(props.foundation, 'the database, secrets and event bus come first');
  }
}
