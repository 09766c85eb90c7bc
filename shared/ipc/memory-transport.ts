// In-process transport pair (VS Code's createProtocolPair) for tests and embedding. Frames are
// delivered asynchronously and through a JSON round trip, so anything that would not survive the
// real socket (undefined, Dates, class instances, cycles) fails here too.
import { FrameTooLargeError, Listeners, type Disposable, type MessageTransport } from './transport.js';
import { MAX_FRAME_BYTES, type Frame } from '../protocol/index.js';

class MemoryTransport implements MessageTransport {
  peer: MemoryTransport | undefined;
  private readonly messages = new Listeners<[unknown]>();
  private readonly closes = new Listeners<[Error | undefined]>();
  private isClosed = false;

  constructor(private readonly maxFrameBytes: number) {}

  get closed(): boolean {
    return this.isClosed;
  }

  send(frame: Frame): boolean {
    if (this.isClosed) return false;
    const text = JSON.stringify(frame);
    const bytes = Buffer.byteLength(text);
    if (bytes > this.maxFrameBytes) throw new FrameTooLargeError(bytes, this.maxFrameBytes);
    const peer = this.peer;
    queueMicrotask(() => {
      if (peer && !peer.isClosed) peer.messages.fire(JSON.parse(text));
    });
    return true;
  }

  /** Deliver any value to the peer unvalidated and unserialized; lets tests send malformed frames. */
  injectRawToPeer(value: unknown): void {
    const peer = this.peer;
    queueMicrotask(() => {
      if (peer && !peer.isClosed) peer.messages.fire(value);
    });
  }

  onMessage(listener: (frame: unknown) => void): Disposable {
    return this.messages.add(listener);
  }

  onClose(listener: (error?: Error) => void): Disposable {
    return this.closes.add(listener);
  }

  close(): void {
    this.end(undefined);
    // Closing one end closes the other, as a socket's FIN would; after pending frames are delivered.
    const peer = this.peer;
    queueMicrotask(() => peer?.end(undefined));
  }

  private end(error: Error | undefined): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.closes.fire(error);
    this.messages.clear();
    this.closes.clear();
  }
}

export type MemoryTransportEnd = MessageTransport & { injectRawToPeer(value: unknown): void };

/** Two connected transports: what one sends, the other receives. */
export function createTransportPair(options: { maxFrameBytes?: number } = {}): [MemoryTransportEnd, MemoryTransportEnd] {
  const max = options.maxFrameBytes ?? MAX_FRAME_BYTES;
  const a = new MemoryTransport(max);
  const b = new MemoryTransport(max);
  a.peer = b;
  b.peer = a;
  return [a, b];
}
