// The daemon's side of the protocol over any MessageTransport: validates every received frame with
// zod, dispatches requests to an exhaustive Handlers map (a missing method is a compile error),
// answers bad input with typed errors instead of crashing, numbers events with a daemon-wide seq
// and fans them out to subscriptions (snapshot first, replay from a ring buffer on resubscribe).
import { randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  ClientFrame,
  EVENT_NAMES,
  events,
  isCompatible,
  isMethodName,
  methods,
  PROTOCOL_VERSION,
  RequestId,
  RpcError,
  Snapshot,
  toWireIssues,
  type ClientInfo,
  type EventName,
  type EventPayload,
  type Frame,
  type MethodName,
  type Params,
  type ResultInput,
  type SubscribeParams,
  type Topic,
  type WireError,
} from '../protocol/index.js';
import { FrameTooLargeError, type MessageTransport, type RpcLogger } from './transport.js';

/** What a handler knows about the call. */
export interface HandlerContext {
  connectionId: string;
  /** From the connection's hello. */
  client: ClientInfo | null;
  /** Aborted when the client cancels the request or disconnects. */
  signal: AbortSignal;
  /** Open connections, this one included (daemon.shutdown refuses while others are attached). */
  connectionCount: number;
}

/** Methods the server implements itself: subscriptions are bookkeeping of the RPC layer. */
export type BuiltinMethod = 'subscribe' | 'unsubscribe';
export type HandledMethod = Exclude<MethodName, BuiltinMethod>;

/** What a handler returns; hello's protocolVersion and instanceId are filled in by the server. */
export type HandlerResult<M extends HandledMethod> = M extends 'hello'
  ? Omit<ResultInput<'hello'>, 'protocolVersion' | 'instanceId'>
  : ResultInput<M>;

/** One handler per method; the server validated the params and validates the result. */
export type Handlers = {
  [M in HandledMethod]: (params: Params<M>, ctx: HandlerContext) => HandlerResult<M> | Promise<HandlerResult<M>>;
};

export interface RpcServerOptions {
  handlers: Handlers;
  /**
   * Current state for a new subscriber. Must be synchronous: the snapshot's seq is the server's
   * seq at the moment it is taken, and no event may slip in between.
   */
  snapshot: (filter: { topics: readonly Topic[] | null; jobId: string | null }) => z.input<typeof Snapshot>;
  /** Random per process by default; seqs are only comparable within one instance. */
  instanceId?: string;
  /** Events kept for resubscribe-from-seq (default 4096). */
  historySize?: number;
  /**
   * Connections served at once (default 256). At the limit a new connection first displaces the
   * oldest one that has not said hello; with none to displace it is refused with LIMIT_EXCEEDED.
   */
  maxConnections?: number;
  /** A connection without a successful hello after this long is closed with LIMIT_EXCEEDED (default 10 s). */
  helloTimeoutMs?: number;
  /** Subscriptions one connection may hold (default 64); one more is answered with LIMIT_EXCEEDED. */
  maxSubscriptionsPerConnection?: number;
  log?: RpcLogger;
}

export const DEFAULT_MAX_CONNECTIONS = 256;
export const DEFAULT_HELLO_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_SUBSCRIPTIONS_PER_CONNECTION = 64;
/** How long a refused connection's error frame may take to reach a peer before the socket is cut. */
const REFUSAL_FLUSH_MS = 1_000;

/** Public view of one connection. */
export interface ConnectionInfo {
  readonly id: string;
  readonly client: ClientInfo | null;
}

interface HistoryEntry {
  seq: number;
  event: EventName;
  topic: Topic;
  jobId: string | null;
  payload: unknown;
}

interface Subscription {
  topics: ReadonlySet<Topic> | null;
  jobId: string | null;
}

const DEFAULT_HISTORY_SIZE = 4096;
const TOPIC_OF = new Map<EventName, Topic>(EVENT_NAMES.map((e) => [e, events[e].topic]));

class Connection implements ConnectionInfo {
  client: ClientInfo | null = null;
  readonly inFlight = new Map<string | number, AbortController>();
  readonly subscriptions = new Map<string, Subscription>();
  helloTimer: ReturnType<typeof setTimeout> | undefined;
  private nextSubscription = 1;

  constructor(
    readonly id: string,
    readonly transport: MessageTransport,
  ) {}

  newSubscriptionId(): string {
    return `s${this.nextSubscription++}`;
  }
}

export class RpcServer {
  readonly instanceId: string;
  private readonly handlers: Handlers;
  private readonly snapshotOf: RpcServerOptions['snapshot'];
  private readonly historySize: number;
  private readonly log: RpcLogger;
  private readonly maxConnections: number;
  private readonly helloTimeoutMs: number;
  private readonly maxSubscriptions: number;
  /** In accept order, so the first one without a client is the oldest. */
  private readonly open = new Map<string, Connection>();
  private readonly history: HistoryEntry[] = [];
  private lastSeq = 0;
  private nextConnection = 1;

  constructor(options: RpcServerOptions) {
    this.handlers = options.handlers;
    this.snapshotOf = options.snapshot;
    this.instanceId = options.instanceId ?? randomUUID();
    this.historySize = options.historySize ?? DEFAULT_HISTORY_SIZE;
    this.log = options.log ?? (() => {});
    this.maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    this.helloTimeoutMs = options.helloTimeoutMs ?? DEFAULT_HELLO_TIMEOUT_MS;
    this.maxSubscriptions = options.maxSubscriptionsPerConnection ?? DEFAULT_MAX_SUBSCRIPTIONS_PER_CONNECTION;
  }

  /** The seq of the last published event (0 before any). */
  get seq(): number {
    return this.lastSeq;
  }

  get connections(): readonly ConnectionInfo[] {
    return [...this.open.values()];
  }

  /** Serve one connection until it closes. */
  accept(transport: MessageTransport): ConnectionInfo {
    const conn = new Connection(`c${this.nextConnection++}`, transport);
    if (this.open.size >= this.maxConnections) {
      // Idle sockets that never said hello must not lock out real clients (issue 15: 100 of
      // them made `framepack jobs` fail with EPIPE): the oldest of them makes room.
      const silent = [...this.open.values()].find((c) => c.client === null);
      if (silent) {
        this.refuse(silent, `closed to make room for a new connection: ${this.maxConnections} connections are open (the limit) and this one never said hello`, 'connections');
      } else {
        this.refuse(conn, `too many connections: ${this.maxConnections} are open (the limit); close some clients and retry`, 'connections');
        return conn;
      }
    }
    this.open.set(conn.id, conn);
    transport.onMessage((frame) => this.receive(conn, frame));
    transport.onClose((error) => {
      clearTimeout(conn.helloTimer);
      for (const controller of conn.inFlight.values()) controller.abort(new RpcError('CANCELLED', 'client disconnected'));
      conn.inFlight.clear();
      conn.subscriptions.clear();
      this.open.delete(conn.id);
      this.log('debug', 'connection closed', { connectionId: conn.id, error: error?.message });
    });
    conn.helloTimer = setTimeout(() => {
      // Timers run before the loop reads sockets: after the event loop was blocked for longer than
      // the timeout, a hello that arrived meanwhile is still unread. setImmediate runs after the
      // next poll phase has read it.
      setImmediate(() => {
        if (conn.client === null && this.open.get(conn.id) === conn) this.refuse(conn, `no hello within ${this.helloTimeoutMs} ms; connection closed`, 'helloTimeout');
      });
    }, this.helloTimeoutMs);
    conn.helloTimer.unref?.();
    this.log('debug', 'connection opened', { connectionId: conn.id });
    return conn;
  }

  /** Tell the peer why (an id-less error response) and close once that frame is out. */
  private refuse(conn: Connection, message: string, limit: 'connections' | 'helloTimeout'): void {
    this.open.delete(conn.id);
    clearTimeout(conn.helloTimer);
    this.log('debug', 'connection refused', { connectionId: conn.id, limit });
    const error = new RpcError('LIMIT_EXCEEDED', message, { retryable: limit === 'connections', detail: { limit } });
    try {
      conn.transport.send({ type: 'res', data: { id: null, ok: false, error: error.toWire() } });
    } catch {
      // Closing anyway; the peer sees a plain disconnect.
    }
    conn.transport.close(REFUSAL_FLUSH_MS);
  }

  /**
   * Number and deliver one event. Returns its seq, or null when the payload is invalid (a daemon
   * bug: logged, not thrown, so a bad progress event cannot kill a running job).
   */
  publish<E extends EventName>(event: E, payload: z.input<(typeof events)[E]['payload']> | EventPayload<E>): number | null {
    const parsed = events[event].payload.safeParse(payload);
    if (!parsed.success) {
      this.log('error', 'dropped invalid event', { event, issues: toWireIssues(parsed.error.issues) });
      return null;
    }
    const data = parsed.data as { jobId?: unknown };
    const entry: HistoryEntry = {
      seq: ++this.lastSeq,
      event,
      topic: TOPIC_OF.get(event)!,
      jobId: typeof data.jobId === 'string' ? data.jobId : null,
      payload: parsed.data,
    };
    this.history.push(entry);
    if (this.history.length > this.historySize) this.history.splice(0, this.history.length - this.historySize);
    for (const conn of this.open.values()) {
      for (const [subId, sub] of conn.subscriptions) if (matches(sub, entry)) this.sendEvent(conn, subId, entry);
    }
    return entry.seq;
  }

  /** Close every connection; in-flight handlers see their signal abort. */
  close(): void {
    for (const conn of [...this.open.values()]) conn.transport.close();
  }

  private receive(conn: Connection, raw: unknown): void {
    const frame = ClientFrame.safeParse(raw);
    if (!frame.success) {
      const id = RequestId.safeParse((raw as { data?: { id?: unknown } } | null)?.data?.id);
      this.fail(conn, id.success ? id.data : null, new RpcError('INVALID_PARAMS', 'malformed frame', { detail: { issues: toWireIssues(frame.error.issues) } }));
      return;
    }
    if (frame.data.type === 'cancel') {
      this.cancel(conn, frame.data.data.id);
      return;
    }
    const { id, method, params } = frame.data.data;
    if (conn.inFlight.has(id)) {
      this.fail(conn, id, new RpcError('INVALID_PARAMS', `request id ${JSON.stringify(id)} is already in flight`));
      return;
    }
    if (!isMethodName(method)) {
      this.fail(conn, id, new RpcError('NOT_FOUND', `unknown method '${method}'`, { detail: { method } }));
      return;
    }
    if (method !== 'hello' && conn.client === null) {
      this.fail(conn, id, new RpcError('PROTOCOL_MISMATCH', `call hello before '${method}'`, { detail: { server: PROTOCOL_VERSION } }));
      return;
    }
    const parsed = methods[method].params.safeParse(params ?? {});
    if (!parsed.success) {
      this.fail(conn, id, new RpcError('INVALID_PARAMS', `invalid params for '${method}': ${z.prettifyError(parsed.error)}`, { detail: { issues: toWireIssues(parsed.error.issues) } }));
      return;
    }
    if (method === 'subscribe') this.subscribe(conn, id, parsed.data as SubscribeParams);
    else if (method === 'unsubscribe') this.unsubscribe(conn, id, parsed.data as Params<'unsubscribe'>);
    else void this.dispatch(conn, id, method, parsed.data);
  }

  private async dispatch(conn: Connection, id: string | number, method: HandledMethod, params: unknown): Promise<void> {
    if (method === 'hello') {
      const hello = params as Params<'hello'>;
      if (!isCompatible(hello.protocolVersion)) {
        this.fail(conn, id, new RpcError('PROTOCOL_MISMATCH', `daemon speaks protocol ${PROTOCOL_VERSION}, client sent ${hello.protocolVersion}`, {
          detail: { server: PROTOCOL_VERSION, client: hello.protocolVersion },
        }));
        return;
      }
      // Accept the connection now, not after the handler's await: a client may pipeline requests
      // right behind its hello.
      conn.client = hello.client;
    }
    const controller = new AbortController();
    conn.inFlight.set(id, controller);
    const started = performance.now();
    const ctx: HandlerContext = { connectionId: conn.id, client: conn.client, signal: controller.signal, connectionCount: this.open.size };
    const handler = this.handlers[method] as (p: unknown, c: HandlerContext) => unknown;
    try {
      let result = await handler(params, ctx);
      // Cancelled or disconnected meanwhile: CANCELLED was already sent (or nobody listens).
      if (conn.inFlight.get(id) !== controller) return;
      if (method === 'hello') {
        result = { ...(result as object), protocolVersion: PROTOCOL_VERSION, instanceId: this.instanceId };
      }
      const checked = methods[method].result.safeParse(result);
      if (!checked.success) throw new Error(`handler '${method}' returned an invalid result: ${z.prettifyError(checked.error)}`);
      conn.inFlight.delete(id);
      this.send(conn, { type: 'res', data: { id, ok: true, result: checked.data } }, id);
    } catch (err: unknown) {
      if (method === 'hello') conn.client = null;
      if (conn.inFlight.get(id) !== controller) return;
      conn.inFlight.delete(id);
      this.fail(conn, id, this.toRpcError(err, method));
    } finally {
      this.log('debug', 'request', { connectionId: conn.id, id, method, ms: Math.round(performance.now() - started) });
    }
  }

  private subscribe(conn: Connection, id: string | number, params: SubscribeParams): void {
    if (conn.subscriptions.size >= this.maxSubscriptions) {
      // Each subscription multiplies every event's sends (20,000 of them stalled the daemon).
      this.fail(conn, id, new RpcError('LIMIT_EXCEEDED', `too many subscriptions: this connection holds ${conn.subscriptions.size} (the limit is ${this.maxSubscriptions}); unsubscribe one, or use one subscription with several topics`, {
        detail: { limit: 'subscriptions', max: this.maxSubscriptions },
      }));
      return;
    }
    const sub: Subscription = { topics: params.topics ? new Set(params.topics) : null, jobId: params.jobId ?? null };
    const replay = this.replayable(params.since);
    let snapshot: Snapshot | null = null;
    if (replay === null) {
      try {
        snapshot = Snapshot.parse(this.snapshotOf({ topics: params.topics ?? null, jobId: sub.jobId }));
      } catch (err: unknown) {
        this.fail(conn, id, this.toRpcError(err, 'subscribe'));
        return;
      }
    }
    const toReplay = (replay ?? []).filter((e) => matches(sub, e));
    const subId = conn.newSubscriptionId();
    conn.subscriptions.set(subId, sub);
    const result = { subscription: subId, instanceId: this.instanceId, seq: this.lastSeq, snapshot, replayed: toReplay.length };
    // Response first, then the replayed events, all in this tick: the client maps the subscription
    // id while handling the response, before any evt for it can arrive.
    this.send(conn, { type: 'res', data: { id, ok: true, result } }, id);
    for (const entry of toReplay) this.sendEvent(conn, subId, entry);
  }

  /** The events after `since`, or null when they are not all still in the history. */
  private replayable(since: SubscribeParams['since']): HistoryEntry[] | null {
    if (!since || since.instanceId !== this.instanceId || since.seq > this.lastSeq) return null;
    const oldest = this.history[0]?.seq ?? this.lastSeq + 1;
    if (since.seq + 1 < oldest) return null;
    return this.history.filter((e) => e.seq > since.seq);
  }

  private unsubscribe(conn: Connection, id: string | number, params: Params<'unsubscribe'>): void {
    const removed = conn.subscriptions.delete(params.subscription);
    this.send(conn, { type: 'res', data: { id, ok: true, result: { removed } } }, id);
  }

  private cancel(conn: Connection, id: string | number): void {
    const controller = conn.inFlight.get(id);
    if (!controller) return; // already answered: the cancel crossed the response
    conn.inFlight.delete(id);
    controller.abort(new RpcError('CANCELLED', 'request cancelled by the client'));
    this.fail(conn, id, new RpcError('CANCELLED', 'request cancelled by the client'));
  }

  private toRpcError(err: unknown, method: string): RpcError {
    if (err instanceof RpcError) return err;
    const ref = randomBytes(4).toString('hex');
    this.log('error', 'handler failed', { method, ref, stack: err instanceof Error ? err.stack : String(err) });
    return new RpcError('INTERNAL', `internal error in '${method}' (ref ${ref}; see the daemon log)`, { detail: { ref } });
  }

  private fail(conn: Connection, id: string | number | null, error: RpcError): void {
    const wire: WireError = error.toWire();
    this.send(conn, { type: 'res', data: { id, ok: false, error: wire } }, id);
  }

  private sendEvent(conn: Connection, sub: string, entry: HistoryEntry): void {
    try {
      conn.transport.send({ type: 'evt', data: { sub, seq: entry.seq, event: entry.event, payload: entry.payload } });
    } catch (err: unknown) {
      this.log('error', 'event not sent', { connectionId: conn.id, event: entry.event, seq: entry.seq, error: String(err) });
    }
  }

  private send(conn: Connection, frame: Frame, id: string | number | null): void {
    try {
      conn.transport.send(frame);
    } catch (err: unknown) {
      if (!(err instanceof FrameTooLargeError) || frame.type !== 'res') throw err;
      // The answer itself is too big for a frame: tell the caller instead of leaving it to time out.
      this.fail(conn, id, new RpcError('INTERNAL', `response too large (${err.bytes} bytes > ${err.maxBytes})`));
    }
  }
}

function matches(sub: Subscription, entry: HistoryEntry): boolean {
  if (sub.topics && !sub.topics.has(entry.topic)) return false;
  return sub.jobId === null || entry.jobId === null || entry.jobId === sub.jobId;
}
