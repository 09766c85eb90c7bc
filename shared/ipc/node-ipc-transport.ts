// The only file that imports node-ipc (STYLE.md §3.3 conv. 3; pinned to exactly 14.0.0, DEPS.md §3).
// Adapts its Unix-socket server and client, in the guarded profile, to MessageTransport. On the
// wire each frame is node-ipc's `{"type":<verb>,"data":<body>}` + 0x0C; guarded closes any
// connection that sends non-JSON, a non-object, a reserved event name or a frame over the limit,
// and reports it through `error` without taking the server down.
import path from 'node:path';
import type { Socket } from 'node:net';
import { IPCModule } from 'node-ipc';
import { MAX_FRAME_BYTES, type Frame } from '../protocol/index.js';
import { FrameTooLargeError, Listeners, type Disposable, type MessageTransport, type RpcLogger, type TransportServer } from './transport.js';
import { assertSocketPathLength } from './socket-path.js';

/** Lifecycle names node-ipc publishes itself; guarded refuses them from peers, so they never carry frames. */
const LOCAL_EVENTS = new Set(['start', 'connect', 'disconnect', 'destroy', 'close', 'socket.disconnected', 'error', 'data']);
/** How long a half-received frame may wait for its delimiter before the connection is dropped. */
const PARTIAL_FRAME_TIMEOUT_MS = 10_000;
/** Unsent bytes allowed per connection before a slow reader is disconnected (it resubscribes from its seq). */
const MAX_PENDING_BYTES = 16 * 1024 * 1024;

export interface NodeIpcOptions {
  /** Largest frame accepted or sent, in bytes (default 1 MiB). */
  maxFrameBytes?: number;
  log?: RpcLogger;
}

function configure(ipc: IPCModule, socketFile: string, options: NodeIpcOptions): void {
  const c = ipc.config;
  c.parser = 'guarded';
  c.maxMessageSize = options.maxFrameBytes ?? MAX_FRAME_BYTES;
  c.maxPendingBytes = MAX_PENDING_BYTES;
  c.messageTimeout = PARTIAL_FRAME_TIMEOUT_MS;
  c.allowReservedEvents = false;
  c.silent = true;
  // The socket root is the runtime dir; node-ipc creates it 0700 and checks its owner.
  c.socketRoot = path.dirname(socketFile) + path.sep;
  c.appspace = '';
  c.id = path.basename(socketFile);
  c.secureSocketRoot = true;
  // Never unlink an existing socket here: it may belong to a live daemon. The daemon's
  // claim-instance probes it and removes it only when nobody answers.
  c.unlink = false;
  c.maxRetries = 0;
  c.stopRetrying = true;
}

/** One node-ipc connection as a MessageTransport; `write` is the side-specific emit. */
class NodeIpcTransport implements MessageTransport {
  readonly messages = new Listeners<[unknown]>();
  private readonly closes = new Listeners<[Error | undefined]>();
  private isClosed = false;
  private lastError: Error | undefined;

  constructor(
    private readonly write: (type: string, data: unknown) => boolean,
    private readonly destroy: () => void,
    private readonly maxFrameBytes: number,
  ) {}

  get closed(): boolean {
    return this.isClosed;
  }

  send(frame: Frame): boolean {
    if (this.isClosed) return false;
    try {
      this.write(frame.type, frame.data);
      return true;
    } catch (err: unknown) {
      // guarded's encode() measures the frame and throws before anything is written.
      if ((err as { code?: string }).code === 'ERR_IPC_FRAME_TOO_LARGE') {
        throw new FrameTooLargeError(Buffer.byteLength(JSON.stringify(frame)), this.maxFrameBytes);
      }
      throw err;
    }
  }

  onMessage(listener: (frame: unknown) => void): Disposable {
    return this.messages.add(listener);
  }

  onClose(listener: (error?: Error) => void): Disposable {
    return this.closes.add(listener);
  }

  close(): void {
    if (this.isClosed) return;
    this.destroy();
    this.ended();
  }

  noteError(error: Error): void {
    this.lastError = error;
  }

  ended(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.closes.fire(this.lastError);
    this.messages.clear();
    this.closes.clear();
  }
}

/**
 * Listen on a Unix socket; each accepted connection is handed to onConnection. Rejects with
 * EADDRINUSE when the path exists (stale-socket recovery is the daemon's job).
 */
export function listenNodeIpc(socketFile: string, onConnection: (transport: MessageTransport) => void, options: NodeIpcOptions = {}): Promise<TransportServer> {
  assertSocketPathLength(socketFile);
  const log = options.log ?? (() => {});
  const maxFrameBytes = options.maxFrameBytes ?? MAX_FRAME_BYTES;
  const ipc = new IPCModule();
  configure(ipc, socketFile, options);
  ipc.serve(socketFile);
  const server = ipc.server;
  if (!server) return Promise.reject(new Error('node-ipc did not create a server'));
  const connections = new Map<Socket, NodeIpcTransport>();

  server.on('connect', (socket: Socket) => {
    const transport = new NodeIpcTransport(
      (type, data) => server.emit(socket, type, data),
      () => socket.destroy(),
      maxFrameBytes,
    );
    connections.set(socket, transport);
    socket.once('close', () => {
      connections.delete(socket);
      transport.ended();
    });
    onConnection(transport);
  });
  server.on('*', (type: string, data: unknown, socket: Socket | undefined) => {
    if (LOCAL_EVENTS.has(type) || !socket) return;
    connections.get(socket)?.messages.fire({ type, data });
  });

  return new Promise<TransportServer>((resolve, reject) => {
    let started = false;
    // A peer's protocol violation arrives here after node-ipc has already destroyed its socket;
    // the server itself keeps listening.
    server.on('error', (error: Error & { code?: string }) => {
      if (!started) reject(error);
      else log('warn', 'connection dropped by the guarded parser', { code: error.code, message: error.message });
    });
    server.on('start', () => {
      started = true;
      resolve({
        address: socketFile,
        close: () =>
          new Promise<void>((done) => {
            const net = server.server;
            for (const t of connections.values()) t.close();
            if (!net) return done();
            net.close(() => done());
          }),
      });
    });
    try {
      server.start();
    } catch (err: unknown) {
      reject(err instanceof Error ? err : new Error(String(err)));
    }
  });
}

/** Connect to a daemon's socket. Rejects with the socket error (ENOENT: not running, ECONNREFUSED: stale socket). */
export function connectNodeIpc(socketFile: string, options: NodeIpcOptions & { connectTimeoutMs?: number } = {}): Promise<MessageTransport> {
  const ipc = new IPCModule();
  configure(ipc, socketFile, options);
  const id = 'framepack';
  const maxFrameBytes = options.maxFrameBytes ?? MAX_FRAME_BYTES;
  ipc.connectTo(id, socketFile);
  const client = ipc.of[id]!;
  const transport = new NodeIpcTransport((type, data) => client.emit(type, data), () => ipc.disconnect(id), maxFrameBytes);
  return new Promise<MessageTransport>((resolve, reject) => {
    let connected = false;
    const timer = setTimeout(() => {
      ipc.disconnect(id);
      reject(Object.assign(new Error(`connecting to ${socketFile} timed out`), { code: 'ETIMEDOUT' }));
    }, options.connectTimeoutMs ?? 5_000);
    client.on('connect', () => {
      connected = true;
      clearTimeout(timer);
      resolve(transport);
    });
    client.on('error', (error: Error) => {
      if (!connected) {
        clearTimeout(timer);
        ipc.disconnect(id);
        reject(error);
      } else transport.noteError(error);
    });
    client.on('disconnect', () => {
      if (connected) transport.ended();
    });
    client.on('*', (type: string, data: unknown) => {
      if (!LOCAL_EVENTS.has(type)) transport.messages.fire({ type, data });
    });
  });
}
