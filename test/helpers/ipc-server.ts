// A real node-ipc socket server running the RPC layer over the fake handler set, on a fresh temp
// socket root; close() removes everything.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { listenNodeIpc } from '../../shared/ipc/node-ipc-transport.js';
import { RpcServer } from '../../shared/ipc/rpc-server.js';
import type { RpcLogger } from '../../shared/ipc/transport.js';
import { fakeDaemon, type FakeDaemon } from './protocol-fixtures.js';

export interface TestSocketServer {
  socketFile: string;
  server: RpcServer;
  daemon: FakeDaemon;
  logs: string[];
  close(): Promise<void>;
}

export async function startTestSocketServer(options: { maxFrameBytes?: number; helloTimeoutMs?: number } = {}): Promise<TestSocketServer> {
  // Short base so the socket path stays far below sun_path's 107 bytes.
  const base = mkdtempSync(path.join(os.tmpdir(), 'fp-'));
  const socketFile = path.join(base, 'rt', 'fp.sock');
  const daemon = fakeDaemon();
  const logs: string[] = [];
  const log: RpcLogger = (level, message, fields) => logs.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  const server = new RpcServer({ handlers: daemon.handlers, snapshot: daemon.snapshot, log, ...(options.helloTimeoutMs ? { helloTimeoutMs: options.helloTimeoutMs } : {}) });
  const listener = await listenNodeIpc(socketFile, (t) => server.accept(t), { ...(options.maxFrameBytes ? { maxFrameBytes: options.maxFrameBytes } : {}), log });
  return {
    socketFile,
    server,
    daemon,
    logs,
    close: async () => {
      server.close();
      await listener.close();
      rmSync(base, { recursive: true, force: true });
    },
  };
}
