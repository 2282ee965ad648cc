/** What a Lambda function needs beyond the database; a missing one fails its cold start. */
export interface LambdaNeeds {
  /**
   * Token verification and stream tickets (JWT_SECRET_ARN, or JWT_SECRET locally); every
   * function but the migrator, ws-disconnect and the broadcaster.
   */
  readonly auth?: boolean;
  readonly events?: boolean;
  readonly websocket?: boolean;
}

/**
 * The Lambda apps, each with what it needs: their mains, the CDK app and the configuration
 * docs read this one table.
 */
export const LAMBDA_NEEDS = {
  api: { events: true },
  processor: { events: true },
  relay: { events: true },
  broadcaster: { auth: false, websocket: true },
  'ws-connect': {},
  'ws-disconnect': { auth: false },
  migrator: { auth: false },
} as const satisfies Record<string, LambdaNeeds>;

/** A Lambda app of {@link LAMBDA_NEEDS}. */
export type LambdaAppName = keyof typeof LAMBDA_NEEDS;

/** Whether `needs` asks for `need`: `auth` unless turned off, the others only when turned on. */
export function isNeeded(needs: LambdaNeeds, need: keyof LambdaNeeds): boolean {
  return need === 'auth' ? needs.auth !== false : needs[need] === true;
}
