import { FakeEventBridge } from '../eventbridge/fake-eventbridge.server';

/** A function's entry module, as far as a spec tears it down: what its cold start opened. */
export interface LambdaEntry {
  ready(): Promise<{ close(): Promise<void> }>;
}

/** A function's world in a spec (its database, its environment), stopped once done. */
export interface LambdaWorld {
  stop(): Promise<void>;
}

/** The bus, the world and the entry module of `useLambdaWithEventBus`, once `beforeAll` ran. */
export interface LambdaUnderTest<W extends LambdaWorld, M extends LambdaEntry> {
  readonly bus: FakeEventBridge;
  readonly world: W;
  readonly main: M;
}

/**
 * An in-process Lambda function publishing to a fake EventBridge, for the enclosing `describe`:
 * `beforeAll` starts the bus, prepares the function's world with `setUp` (which sets its
 * environment), then imports its entry module with `load`, so that it composes against both;
 * `afterAll` closes what the entry opened, then stops the world and the bus.
 */
export function useLambdaWithEventBus<W extends LambdaWorld, M extends LambdaEntry>(
  setUp: (bus: FakeEventBridge) => Promise<W>,
  load: () => Promise<M>,
): LambdaUnderTest<W, M> {
  let bus: FakeEventBridge | undefined;
  let world: W | undefined;
  let main: M | undefined;
  beforeAll(async () => {
    bus = await FakeEventBridge.start();
    world = await setUp(bus);
    main = await load();
  });
  afterAll(async () => {
    if (main !== undefined) await (await main.ready()).close();
    await world?.stop();
    await bus?.stop();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the Lambda function is used before beforeAll ran');
    return value;
  };
  return {
    get bus() {
      return started(bus);
    },
    get world() {
      return started(world);
    },
    get main() {
      return started(main);
    },
  };
}
