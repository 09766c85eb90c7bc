// The seam between the RPC layer and the bytes (VS Code's IMessagePassingProtocol, STYLE.md §3.3
// conv. 3): a connection that carries whole frames. Frames going out are typed; frames coming in
// are `unknown` because the RPC layer validates every one of them. No library is imported here.
import type { Frame } from '../protocol/index.js';

/** Undo a registration. */
export interface Disposable {
  dispose(): void;
}

/** One connection carrying whole frames in both directions. */
export interface MessageTransport {
  /** Queue a frame; false when the transport is closed (the frame is dropped). */
  send(frame: Frame): boolean;
  /** Every received frame, already split and JSON-decoded, not yet validated. */
  onMessage(listener: (frame: unknown) => void): Disposable;
  /** Called once when the connection ends, from either side; `error` says why when it was not a clean close. */
  onClose(listener: (error?: Error) => void): Disposable;
  /**
   * Close the connection; idempotent. With flushMs, frames already queued get up to that long to
   * reach the peer before the connection is cut (a refusal the peer should be able to read).
   */
  close(flushMs?: number): void;
  readonly closed: boolean;
}

/** The listening side: hands each accepted connection over as a transport. */
export interface TransportServer {
  /** Where clients connect (a socket path), for status and logs. */
  readonly address: string;
  /** Stop listening and close every open connection. */
  close(): Promise<void>;
}

/** A small listener list, shared by the transports. */
export class Listeners<A extends unknown[]> {
  private readonly listeners = new Set<(...args: A) => void>();

  add(listener: (...args: A) => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  fire(...args: A): void {
    for (const listener of [...this.listeners]) listener(...args);
  }

  clear(): void {
    this.listeners.clear();
  }
}

/** Thrown by send() when a frame exceeds the transport's frame limit; the connection stays open. */
export class FrameTooLargeError extends Error {
  override readonly name = 'FrameTooLargeError';
  constructor(readonly bytes: number, readonly maxBytes: number) {
    super(`frame of ${bytes} bytes exceeds the limit of ${maxBytes} bytes`);
  }
}

/** Structured log sink injected by the daemon or client; the IPC layer never writes to the console. */
export type RpcLogger = (level: 'debug' | 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
