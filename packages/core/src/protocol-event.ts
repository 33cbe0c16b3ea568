/**
 * A programmer-defined event that travels the metaobject stack (DIL): from
 * the application toward the bus (`control`: beginAction, endAction, …) or
 * from a role toward the application (`notify`: query, abort, …). `instance`
 * names the protocol instance the event is for; roles of other instances
 * pass it on.
 */
export interface ProtocolEvent {
  readonly type: string;
  readonly instance?: string;
}
