/** Who is acting and which request (or inbound event) the work belongs to. */
export interface RequestContext {
  readonly actorId: string;
  readonly correlationId: string | null;
}
