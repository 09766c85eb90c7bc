// Local typings for the parts of node-ipc 14.0.0 that node-ipc-transport.ts uses (the package ships
// none; @types/node-ipc describes the old 9.x API). Keep in step with the exact pin in package.json.
declare module 'node-ipc' {
  import type { Socket, Server as NetServer } from 'node:net';

  /** event-pubsub 6: '*' handlers receive the event type first. */
  interface PubSub {
    on(type: string, handler: (...args: never[]) => void, once?: boolean): this;
    off(type?: string, handler?: ((...args: never[]) => void) | '*'): this;
  }

  interface IpcConfig {
    appspace: string;
    socketRoot: string;
    id: string;
    parser: 'raw' | 'fast' | 'guarded' | 'assured';
    maxMessageSize: number;
    maxPendingBytes: number;
    maxEventNameLength: number;
    messageTimeout: number;
    allowReservedEvents: boolean;
    unlink: boolean;
    silent: boolean;
    logPayloads: boolean;
    maxConnections: number;
    retry: number;
    maxRetries: number;
    stopRetrying: boolean;
    readableAll: boolean;
    writableAll: boolean;
    secureSocketRoot: boolean;
    delimiter: string;
  }

  interface IpcSocketServer extends PubSub {
    path: string;
    server: NetServer | false;
    sockets: Socket[];
    start(): void;
    stop(): void;
    emit(socket: Socket, type: string, data: unknown): boolean;
  }

  interface IpcClient extends PubSub {
    socket: Socket | false;
    emit(type: string, data: unknown): boolean;
  }

  class IPCModule {
    config: IpcConfig;
    of: Record<string, IpcClient>;
    server: IpcSocketServer | false;
    serve(path: string, callback?: () => void): void;
    connectTo(id: string, path: string, callback?: () => void): void;
    disconnect(id: string): void;
  }

  class IPCProtocolError extends Error {
    code: string;
  }

  const singleton: IPCModule;
  export { IPCModule, IPCProtocolError };
  export default singleton;
}
