// How CLI commands reach the daemon: the socket and data dir from the same config the daemon
// uses (XDG / FRAMEPACK_* env), auto-start (detached, output appended to <data dir>/daemon.log)
// for commands that need a daemon, plain connect for those that only report on one.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureDaemon, type DaemonCommand } from '../../shared/ipc/ensure-daemon.js';
import type { RpcClient } from '../../shared/ipc/rpc-client.js';
import { loadConfig } from '../config.js';
import { DAEMON_LOG_FILE } from '../main.js';
import { EXIT_FAILURE } from './errors.js';

const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

/** The command that runs the daemon: this Node, with tsx, on daemon/main.ts, plus `daemon run` flags. */
export function daemonCommand(flags: readonly string[] = [], env: NodeJS.ProcessEnv = process.env): DaemonCommand {
  const loader = pathToFileURL(path.join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
  return { command: process.execPath, args: ['--import', loader, path.join(REPO_ROOT, 'daemon', 'main.ts'), ...flags], env, cwd: REPO_ROOT };
}

export interface Paths {
  socketFile: string;
  logFile: string;
  dataDir: string;
}

export function daemonPaths(env: NodeJS.ProcessEnv = process.env): Paths {
  const config = loadConfig([], env);
  return { socketFile: config.socketPath, dataDir: config.dataDir, logFile: path.join(config.dataDir, DAEMON_LOG_FILE) };
}

/** Connect; with autoStart, start the daemon first when it is not running. */
export async function connectDaemon(options: { autoStart: boolean; name: string; flags?: string[]; env?: NodeJS.ProcessEnv }): Promise<{ client: RpcClient; started: boolean }> {
  const env = options.env ?? process.env;
  const p = daemonPaths(env);
  return ensureDaemon({
    socketFile: p.socketFile,
    client: { name: options.name, pid: process.pid },
    logFile: p.logFile,
    ...(options.autoStart ? { spawn: daemonCommand(options.flags ?? [], env) } : {}),
  });
}

/**
 * Runs `fn` with a client of the running daemon (never starts one); when none answers, says why on
 * stderr and returns EXIT_FAILURE.
 */
export async function withDaemonClient(name: string, fn: (client: RpcClient) => Promise<number>): Promise<number> {
  let conn;
  try {
    conn = await connectDaemon({ autoStart: false, name });
  } catch (err: unknown) {
    process.stderr.write(`framepack: ${(err as Error).message}\n`);
    return EXIT_FAILURE;
  }
  try {
    return await fn(conn.client);
  } finally {
    conn.client.close();
  }
}
