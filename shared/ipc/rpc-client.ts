// The client's side of the protocol over any MessageTransport: typed call() with request ids,
// timeouts and AbortSignal (cancel crosses the wire), the hello handshake, and subscriptions that
// deliver a snapshot, then deltas in seq order, and resume from the last seq after reconnect().
// Every received frame is validated; a frame this build cannot read marks the client incompatible.
import { z } from 'zod';
import {
  events,
  isEventName,
  methods,
  PROTOCOL_VERSION,
  RpcError,
  ServerFrame,
  type ClientInfo,
  type EventMessage,
  type HelloResult,
  type MethodName,
  type ParamsInput,
  type RequestId,
  type Result,
  type Snapshot,
  type SubscribeParams,
  type SubscribeResult,
} from '../protocol/index.js';
import { Listeners, type Disposable, type MessageTransport, type RpcLogger } from './transport.js';

/** Default time a request may take before the client gives up and sends cancel. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

export type ConnectionState = 'idle' | 'connecting' | 'ready' | 'disconnected' | 'incompatible' | 'closed';

export interface RpcClientOptions {
  /** Opens a fresh transport; called by connect() and reconnect(). */
  connect: () => Promise<MessageTransport>;
  client: ClientInfo;
  requestTimeoutMs?: number;
  log?: RpcLogger;
}

export interface CallOptions {
  signal?: AbortSignal;
  /** Overrides the client's default; 0 = no timeout (for calls that wait on long work). */
  timeoutMs?: number;
}

/** Methods call() may use; subscriptions go through subscribe(). */
export type CallableMethod = Exclude<MethodName, 'subscribe' | 'unsubscribe'>;

export interface SubscriptionHandlers {
  /** The full state, on subscribe and whenever a resubscribe could not replay the gap. */
  onSnapshot?(snapshot: Snapshot, seq: number): void;
  /** Each delta, in seq order, exactly once. */
  onEvent(event: EventMessage): void;
}

interface Pending {
  method: MethodName;
  resolve(value: unknown): void;
  reject(error: RpcError): void;
  /** Runs synchronously on success, before any later frame is handled. */
  onResult?(result: unknown): void;
  cleanup(): void;
}

/** A live subscription; survives reconnect() and resumes from lastSeq. */
export class Subscription {
  /** The daemon's id on the current connection. */
  serverId: string | null = null;
  instanceId: string | null = null;
  /** Seq of the last snapshot or event delivered. */
  lastSeq = 0;
  closed = false;

  constructor(
    private readonly owner: RpcClient,
    readonly params: Omit<SubscribeParams, 'since'>,
    readonly handlers: SubscriptionHandlers,
  ) {}

  /** Stop receiving events (unsubscribes on the daemon when connected). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.owner.dropSubscription(this);
  }
}

export class RpcClient {
  private readonly options: RpcClientOptions;
  private readonly log: RpcLogger;
  private transport: MessageTransport | null = null;
  private disposables: Disposable[] = [];
  private readonly pending = new Map<RequestId, Pending>();
  private readonly subscriptions = new Set<Subscription>();
  private readonly byServerId = new Map<string, Subscription>();
  private readonly stateListeners = new Listeners<[ConnectionState]>();
  private readonly problemListeners = new Listeners<[string, unknown]>();
  private nextId = 1;
  private currentState: ConnectionState = 'idle';
  /** Why the daemon is about to close this connection (an id-less LIMIT_EXCEEDED), for the pending calls. */
  private refusal: RpcError | null = null;
  /** The daemon's hello answer on the current connection. */
  hello: HelloResult | null = null;

  constructor(options: RpcClientOptions) {
    this.options = options;
    this.log = options.log ?? (() => {});
  }

  get state(): ConnectionState {
    return this.currentState;
  }

  onStateChange(listener: (state: ConnectionState) => void): Disposable {
    return this.stateListeners.add(listener);
  }

  /** Frames this build could not read (logged by the TUI; the connection is marked incompatible). */
  onProtocolError(listener: (problem: string, frame: unknown) => void): Disposable {
    return this.problemListeners.add(listener);
  }

  /** Open a transport and say hello. Rejects with PROTOCOL_MISMATCH (state 'incompatible') on a version mismatch. */
  async connect(): Promise<HelloResult> {
    if (this.currentState === 'closed') throw new RpcError('DISCONNECTED', 'client is closed');
    this.setState('connecting');
    let transport: MessageTransport;
    try {
      transport = await this.options.connect();
    } catch (err: unknown) {
      this.setState('disconnected');
      throw err;
    }
    this.attach(transport);
    try {
      const hello = await this.request('hello', { protocolVersion: PROTOCOL_VERSION, client: this.options.client }, {});
      this.hello = hello;
      this.setState('ready');
      return hello;
    } catch (err: unknown) {
      const mismatch = err instanceof RpcError && err.code === 'PROTOCOL_MISMATCH';
      transport.close();
      this.setState(mismatch ? 'incompatible' : 'disconnected');
      throw err;
    }
  }

  /** Drop the current connection (if any), connect again and resume every subscription from its last seq. */
  async reconnect(): Promise<HelloResult> {
    this.transport?.close();
    const hello = await this.connect();
    for (const sub of this.subscriptions) if (!sub.closed) await this.startSubscription(sub, true);
    return hello;
  }

  /** Call a method; resolves with the validated result or rejects with an RpcError. */
  call<M extends CallableMethod>(method: M, params: ParamsInput<M>, options: CallOptions = {}): Promise<Result<M>> {
    if (this.currentState !== 'ready' && this.currentState !== 'incompatible') {
      return Promise.reject(new RpcError('DISCONNECTED', `not connected (${this.currentState})`));
    }
    return this.request(method, params, options);
  }

  /** Subscribe: handlers.onSnapshot gets the state, then onEvent every later event in seq order. */
  async subscribe(params: Omit<SubscribeParams, 'since'>, handlers: SubscriptionHandlers): Promise<Subscription> {
    const sub = new Subscription(this, params, handlers);
    await this.startSubscription(sub, false);
    this.subscriptions.add(sub);
    return sub;
  }

  /** Close the connection for good; pending calls reject with DISCONNECTED. */
  close(): void {
    this.transport?.close();
    this.subscriptions.clear();
    this.byServerId.clear();
    this.setState('closed');
  }

  /** @internal Called by Subscription.close(). */
  async dropSubscription(sub: Subscription): Promise<void> {
    this.subscriptions.delete(sub);
    const serverId = sub.serverId;
    if (serverId === null) return;
    this.byServerId.delete(serverId);
    sub.serverId = null;
    if (this.currentState === 'ready') await this.request('unsubscribe', { subscription: serverId }, {});
  }

  private async startSubscription(sub: Subscription, resume: boolean): Promise<void> {
    const since = resume && sub.instanceId !== null ? { instanceId: sub.instanceId, seq: sub.lastSeq } : undefined;
    await this.request('subscribe', { ...sub.params, ...(since ? { since } : {}) }, {}, (raw) => {
      const result = raw as SubscribeResult;
      if (sub.serverId !== null) this.byServerId.delete(sub.serverId);
      sub.serverId = result.subscription;
      sub.instanceId = result.instanceId;
      this.byServerId.set(result.subscription, sub);
      if (result.snapshot) {
        sub.lastSeq = result.seq;
        sub.handlers.onSnapshot?.(result.snapshot, result.seq);
      }
      // With a replay, lastSeq stays put: the replayed evt frames advance it one by one.
    });
  }

  private request<M extends MethodName>(method: M, params: unknown, options: CallOptions, onResult?: (result: unknown) => void): Promise<Result<M>> {
    const transport = this.transport;
    if (!transport || transport.closed) return Promise.reject(new RpcError('DISCONNECTED', 'not connected'));
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(new RpcError('CANCELLED', 'aborted before sending', { cause: signal.reason }));
    const id = this.nextId++;
    const timeoutMs = options.timeoutMs ?? this.options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    return new Promise<Result<M>>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const onAbort = (): void => {
        this.abandon(id, new RpcError('CANCELLED', `${method} aborted`, { cause: signal?.reason }));
      };
      const entry: Pending = {
        method,
        resolve: resolve as (v: unknown) => void,
        reject,
        ...(onResult ? { onResult } : {}),
        cleanup: () => {
          if (timer) clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
        },
      };
      this.pending.set(id, entry);
      if (timeoutMs > 0) timer = setTimeout(() => this.abandon(id, new RpcError('TIMEOUT', `${method} timed out after ${timeoutMs} ms`)), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        transport.send({ type: 'req', data: params === undefined ? { id, method } : { id, method, params } });
      } catch (err: unknown) {
        this.settle(id)?.reject(new RpcError('INVALID_PARAMS', `request not sent: ${err instanceof Error ? err.message : String(err)}`, { cause: err }));
      }
    });
  }

  /** Give up on a request locally and tell the daemon to stop working on it. */
  private abandon(id: number, error: RpcError): void {
    const entry = this.settle(id);
    if (!entry) return;
    this.transport?.send({ type: 'cancel', data: { id } });
    entry.reject(error);
  }

  private settle(id: RequestId): Pending | undefined {
    const entry = this.pending.get(id);
    if (!entry) return undefined;
    this.pending.delete(id);
    entry.cleanup();
    return entry;
  }

  private attach(transport: MessageTransport): void {
    for (const d of this.disposables) d.dispose();
    this.transport = transport;
    this.refusal = null;
    this.disposables = [
      transport.onMessage((frame) => {
        if (this.transport === transport) this.receive(frame);
      }),
      transport.onClose((error) => {
        if (this.transport !== transport) return;
        this.transport = null;
        const reason = this.refusal ?? new RpcError('DISCONNECTED', `connection closed${error ? `: ${error.message}` : ''}`);
        for (const id of [...this.pending.keys()]) this.settle(id)?.reject(reason);
        for (const sub of this.subscriptions) sub.serverId = null;
        this.byServerId.clear();
        if (this.currentState !== 'closed' && this.currentState !== 'incompatible') this.setState('disconnected');
      }),
    ];
  }

  private receive(raw: unknown): void {
    const frame = ServerFrame.safeParse(raw);
    if (!frame.success) return this.problem(`unreadable frame: ${z.prettifyError(frame.error)}`, raw);
    if (frame.data.type === 'evt') {
      const { sub: subId, seq, event, payload } = frame.data.data;
      const sub = this.byServerId.get(subId);
      if (!sub || sub.closed || seq <= sub.lastSeq) return; // unknown, closed, or already seen before a reconnect
      sub.lastSeq = seq;
      if (!isEventName(event)) return this.problem(`unknown event '${event}'`, raw);
      const parsed = events[event].payload.safeParse(payload);
      if (!parsed.success) return this.problem(`invalid '${event}' payload: ${z.prettifyError(parsed.error)}`, raw);
      sub.handlers.onEvent({ event, seq, payload: parsed.data } as EventMessage);
      return;
    }
    const body = frame.data.data;
    if (body.id === null && !body.ok && body.error.code === 'LIMIT_EXCEEDED') {
      // The daemon refuses this connection (too many, or no hello in time) and closes it next;
      // the calls still waiting fail with its reason instead of a bare EPIPE or "connection closed".
      this.refusal = RpcError.fromWire(body.error);
      this.log('warn', 'daemon refused the connection', { message: body.error.message });
      return;
    }
    if (body.id === null) return this.problem(`daemon rejected a frame: ${body.ok ? '' : `${body.error.code} ${body.error.message}`}`, raw);
    const entry = this.settle(body.id);
    if (!entry) return; // answered after a timeout or abort
    if (!body.ok) {
      entry.reject(RpcError.fromWire(body.error));
      return;
    }
    const result = methods[entry.method].result.safeParse(body.result);
    if (!result.success) {
      const message = `invalid '${entry.method}' result: ${z.prettifyError(result.error)}`;
      this.problem(message, raw);
      entry.reject(new RpcError('PROTOCOL_MISMATCH', message));
      return;
    }
    entry.onResult?.(result.data);
    entry.resolve(result.data);
  }

  private problem(message: string, frame: unknown): void {
    this.log('warn', 'protocol problem', { message });
    this.problemListeners.fire(message, frame);
    if (this.currentState === 'ready') this.setState('incompatible');
  }

  private setState(state: ConnectionState): void {
    if (state === this.currentState) return;
    this.currentState = state;
    this.stateListeners.fire(state);
  }
}

