// The wire frames (STYLE.md §3.3 conv. 4), validated in two stages: these schemas check the
// envelope (verb, id, method or event name), then methods.ts / events.ts check params, results and
// payloads. Each frame is one node-ipc message `{"type":<verb>,"data":<body>}` followed by 0x0C.
//   client → daemon: req {id, method, params}   cancel {id}
//   daemon → client: res {id, ok, result|error} evt {sub, seq, event, payload}
import { z } from 'zod';
import { WireError } from './errors.js';

/** Client-chosen request id, echoed on the response; unique among the connection's in-flight requests. */
export const RequestId = z.union([z.number().int().min(0).max(Number.MAX_SAFE_INTEGER), z.string().min(1).max(64)]);
export type RequestId = z.infer<typeof RequestId>;

/** Daemon-assigned subscription id, unique per connection. */
export const SubscriptionId = z.string().min(1).max(64);
export type SubscriptionId = z.infer<typeof SubscriptionId>;

/** Daemon-wide event sequence number: strictly increasing from 1 within one daemon instance. */
export const Seq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

const Name = z.string().min(1).max(128);

/** req: call `method` with `params` (may be omitted when every param is optional). */
export const RequestFrame = z.object({
  type: z.literal('req'),
  data: z.object({ id: RequestId, method: Name, params: z.unknown().optional() }),
});
export type RequestFrame = z.infer<typeof RequestFrame>;

/** cancel: abort the in-flight request `id`; it is answered with CANCELLED. */
export const CancelFrame = z.object({
  type: z.literal('cancel'),
  data: z.object({ id: RequestId }),
});
export type CancelFrame = z.infer<typeof CancelFrame>;

export const ClientFrame = z.discriminatedUnion('type', [RequestFrame, CancelFrame]);
export type ClientFrame = z.infer<typeof ClientFrame>;

export const SuccessBody = z.object({ id: RequestId, ok: z.literal(true), result: z.unknown() });
/** id is null when the request's id could not be read (malformed frame). */
export const FailureBody = z.object({ id: RequestId.nullable(), ok: z.literal(false), error: WireError });

/** res: the one answer to a req. */
export const ResponseFrame = z.object({
  type: z.literal('res'),
  data: z.discriminatedUnion('ok', [SuccessBody, FailureBody]),
});
export type ResponseFrame = z.infer<typeof ResponseFrame>;

/** evt: one event delivered to subscription `sub`, numbered by the daemon-wide `seq`. */
export const EventFrame = z.object({
  type: z.literal('evt'),
  data: z.object({ sub: SubscriptionId, seq: Seq, event: Name, payload: z.unknown() }),
});
export type EventFrame = z.infer<typeof EventFrame>;

export const ServerFrame = z.discriminatedUnion('type', [ResponseFrame, EventFrame]);
export type ServerFrame = z.infer<typeof ServerFrame>;

/** Any frame in either direction; what a MessageTransport carries. */
export type Frame = ClientFrame | ServerFrame;

/** Frame delimiter of node-ipc's fast/guarded parsers (form feed, 0x0C). */
export const FRAME_DELIMITER = '\f';
/** Largest frame either side accepts, in bytes (without the delimiter). */
export const MAX_FRAME_BYTES = 1024 * 1024;
