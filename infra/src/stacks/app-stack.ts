import { Stack, type StackProps } from 'aws-cdk-lib';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { TaskflowConfig } from '../config/config.schema';
import { LiveAlias, type LiveFunction } from '../constructs/live-alias.construct';
import {
  TaskflowFunction,
  type TaskflowFunctionProps,
} from '../constructs/taskflow-function.construct';
import type { FoundationStack } from './foundation.stack';

/** The deployable apps that have a stack of their own in every region. */
export const APP_STACKS = ['api', 'realtime', 'processor', 'relay', 'monitoring'] as const;
/** The deployable apps with one stack, in the primary region: the web board. */
export const PRIMARY_REGION_APP_STACKS = ['web'] as const;
/** One app stack. */
export type AppStackKind = (typeof APP_STACKS)[number] | (typeof PRIMARY_REGION_APP_STACKS)[number];

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
  /** The app's functions, each with its live alias. */
  readonly functions: readonly LiveFunction[];
  /** Queues that hold what could not be delivered or processed; any message is an alarm. */
  readonly deadLetterQueues: readonly sqs.IQueue[];
}

/** What a function of an app stack sets itself; the stack supplies the rest. */
export type AppFunctionProps = Omit<TaskflowFunctionProps, 'config' | 'bundleDir' | 'network'>;

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
  private readonly bundleDir: string;

  protected constructor(scope: Construct, id: string, props: AppStackProps) {
    super(scope, id, props);
    this.config = props.config;
    this.foundation = props.foundation;
    this.bundleDir = props.bundleDir;
    this.addStackDependency(props.foundation, 'the database, secrets and event bus come first');
  }

  /**
   * A function of this app, in the foundation's function network when it has one (DSQL needs
   * none: its endpoint is public and IAM-authenticated).
   */
  protected taskflowFunction(id: string, props: AppFunctionProps): TaskflowFunction {
    const network = this.foundation.functionNetwork;
    return new TaskflowFunction(this, id, {
      ...props,
      config: this.config,
      bundleDir: this.bundleDir,
      ...(network === undefined ? {} : { network }),
    });
  }

  /**
   * The function with its `live` alias (construct id `<function id>Live`), which every trigger
   * of this app invokes; `provisioned` as {@link LiveAlias} takes it.
   */
  protected withLiveAlias(fn: TaskflowFunction, provisioned: boolean): LiveFunction {
    const live = new LiveAlias(this, `${fn.node.id}Live`, { fn, config: this.config, provisioned });
    return { fn, live };
  }

  /**
   * A function that works on the tasks and publishes what happened to them, with its live
   * alias: the database, the JWT secret (it verifies or issues tokens) and the bus bound.
   */
  protected publishingFunction(
    id: string,
    props: AppFunctionProps,
    provisioned: boolean,
  ): LiveFunction {
    const { database, jwtSecret, eventBus } = this.foundation;
    const fn = this.taskflowFunction(id, props)
      .bindDatabase(database)
      .bindJwtSecret(jwtSecret)
      .bindEventBus(eventBus);
    return this.withLiveAlias(fn, provisioned);
  }
}
