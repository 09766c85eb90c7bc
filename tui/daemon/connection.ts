// Where the dashboard finds the daemon, without importing daemon/ (layering): the socket from
// shared/ipc/socket-path.ts, the data dir from the same function the daemon uses,
// and the daemon's entry as a file path to spawn (a process boundary, not an import).
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureDaemon, type DaemonCommand } from '../../shared/ipc/ensure-daemon.js';
import { connectNodeIpc } from '../../shared/ipc/node-ipc-transport.js';
import { RpcClient } from '../../shared/ipc/rpc-client.js';
import { dataDir, socketPath } from '../../shared/ipc/socket-path.js';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

type Env = Readonly<Record<string, string | undefined>>;

export interface DashboardPaths {
  socketFile: string;
  dataDir: string;
  /** The daemon's own log (written by the daemon). */
  daemonLogFile: string;
  /** This dashboard's log: nothing is ever printed outside Ink. */
  tuiLogFile: string;
}

export { dataDir };

export function dashboardPaths(env: Env = process.env): DashboardPaths {
  const data = dataDir(env);
  return { socketFile: socketPath({ env }), dataDir: data, daemonLogFile: path.join(data, 'daemon.log'), tuiLogFile: path.join(data, 'tui.log') };
}

/** How to start the daemon: this Node with tsx on daemon/main.ts (what `framepack daemon start` runs). */
export function daemonSpawnCommand(flags: readonly string[] = [], env: NodeJS.ProcessEnv = process.env): DaemonCommand {
  const loader = pathToFileURL(path.join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
  return { command: process.execPath, args: ['--import', loader, path.join(REPO_ROOT, 'daemon', 'main.ts'), ...flags], env, cwd: REPO_ROOT };
}

/** A client for the socket that has not connected yet: the dashboard's reconnect loop connects it
 *  once a daemon answers (used when the first start failed, so the dashboard stays up). */
export function idleDashboardClient(env: NodeJS.ProcessEnv = process.env): RpcClient {
  const socketFile = dashboardPaths(env).socketFile;
  return new RpcClient({ connect: () => connectNodeIpc(socketFile, { connectTimeoutMs: 2_000 }), client: { name: 'framepack-tui', pid: process.pid }, requestTimeoutMs: 15_000 });
}

/** Connect, starting the daemon when none answers (unless autoStart is false). */
export async function connectDashboard(options: { autoStart: boolean; env?: NodeJS.ProcessEnv; daemonFlags?: string[] }): Promise<{ client: RpcClient; started: boolean }> {
  const env = options.env ?? process.env;
  const p = dashboardPaths(env);
  return ensureDaemon({
    socketFile: p.socketFile,
    client: { name: 'framepack-tui', pid: process.pid },
    logFile: p.daemonLogFile,
    requestTimeoutMs: 15_000,
    ...(options.autoStart ? { spawn: daemonSpawnCommand(options.daemonFlags ?? [], env) } : {}),
  });
}
