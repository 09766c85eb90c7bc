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
/** Sockets the listener accepts at all; above the RPC server's connection limit so that it can refuse with an error. */
const DEFAULT_SOCKET_LIMIT = 4096;

export interface NodeIpcOptions {
  /** Largest frame accepted or sent, in bytes (default 1 MiB). */
  maxFrameBytes?: number;
  /** Sockets accepted at once before the kernel-level refusal (default 4096); the RPC server's limit is lower. */
  socketLimit?: number;
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
  // net.Server's own limit (node-ipc's default is 100) closes an excess socket before anything is
  // written, so its client only sees EPIPE or ECONNRESET. The RPC server enforces the real limit
  // and refuses with a readable error; this one only bounds the file descriptors a flood can take.
  c.maxConnections = options.socketLimit ?? DEFAULT_SOCKET_LIMIT;
}

/** One node-ipc connection as a MessageTransport; `write` is the side-specific emit. */
class NodeIpcTransport implements MessageTransport {
  readonly messages = new Listeners<[unknown]>();
  private readonly closes = new Listeners<[Error | undefined]>();
  private isClosed = false;
  private lastError: Error | undefined;

  constructor(
    private readonly write: (type: string, data: unknown) => boolean,
    private readonly destroy: (flushMs?: number) => void,
    private readonly maxFrameBytes: number,
    /** True once the socket is gone (node-ipc destroyed it for backpressure or a protocol error). */
    private readonly gone: () => boolean = () => false,
  ) {}

  get closed(): boolean {
    return this.isClosed;
  }

  send(frame: Frame): boolean {
    if (this.isClosed) return false;
    // node-ipc destroys a socket that overflows maxPendingBytes, but 'close' comes a tick later.
    // Writing to it meanwhile re-runs the overflow check and reports the same drop once per frame
    // (per event × subscription: the 1.5 GB log storm of issue 15), so end it here, once.
    if (this.gone()) {
      this.ended();
      return false;
    }
    try {
      this.write(frame.type, frame.data);
      if (this.gone()) {
        this.ended();
        return false;
      }
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

  close(flushMs?: number): void {
    if (this.isClosed) return;
    this.destroy(flushMs);
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
      (flushMs) => {
        if (!flushMs) return void socket.destroy();
        // end() sends what is queued, then FIN; a peer that never reads is cut after flushMs.
        socket.end();
        setTimeout(() => socket.destroy(), flushMs).unref();
      },
      maxFrameBytes,
      () => socket.destroyed,
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
    // Each dropped connection reports here once: send() stops writing to a destroyed socket.
    server.on('error', (error: Error & { code?: string }) => {
      if (!started) reject(error);
      else log('warn', error.code === 'ERR_IPC_BACKPRESSURE' ? 'client dropped: it did not read its frames' : 'connection dropped by the guarded parser', { code: error.code, message: error.message });
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
