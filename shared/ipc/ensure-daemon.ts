// Connect to the daemon, starting it when absent (nx's startDaemonIfNecessary, STYLE.md §3.3
// conv. 6): probe with a real hello → on ENOENT/ECONNREFUSED spawn the daemon detached with its
// output appended to a log file → poll until it answers hello. Two clients racing to start it are
// safe: the daemon's own start lock lets one win, the other exits "already running", and both
// clients then connect to the winner. A daemon speaking another protocol is reported, not used.
import { spawn } from 'node:child_process';
import { closeSync, fstatSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { RpcError, type ClientInfo } from '../protocol/index.js';
import { connectNodeIpc } from './node-ipc-transport.js';
import { RpcClient } from './rpc-client.js';
import { EXIT_ALREADY_RUNNING, readStartFailureNote, startFailureMessage, startFailureReason } from './start-failure.js';

/** How long a freshly spawned daemon may take to answer hello (model catalogue, journal replay). */
export const DAEMON_START_TIMEOUT_MS = 30_000;
const POLL_INTERVAL_MS = 50;

export interface DaemonCommand {
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export interface EnsureDaemonOptions {
  socketFile: string;
  client: ClientInfo;
  /** How to start the daemon; absent = never start it (connect or fail). */
  spawn?: DaemonCommand;
  /** The daemon's stdout/stderr go here (appended). */
  logFile?: string;
  startTimeoutMs?: number;
  requestTimeoutMs?: number;
}

export interface EnsuredDaemon {
  client: RpcClient;
  /** True when this call started the daemon. */
  started: boolean;
}

/** ENOENT: no socket (not running). ECONNREFUSED: a socket nobody listens on (not fully shut down, or crashed). */
export function isNotRunning(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code;
  return code === 'ENOENT' || code === 'ECONNREFUSED';
}

function newClient(o: EnsureDaemonOptions): RpcClient {
  return new RpcClient({
    connect: () => connectNodeIpc(o.socketFile, { connectTimeoutMs: 2_000 }),
    client: o.client,
    ...(o.requestTimeoutMs !== undefined ? { requestTimeoutMs: o.requestTimeoutMs } : {}),
  });
}

/** Connect and say hello; rethrows anything but "not running". Returns null when not running. */
async function tryConnect(o: EnsureDaemonOptions): Promise<RpcClient | null> {
  const client = newClient(o);
  try {
    await client.connect();
    return client;
  } catch (err: unknown) {
    client.close();
    if (isNotRunning(err)) return null;
    if (err instanceof RpcError && err.code === 'PROTOCOL_MISMATCH') {
      throw new RpcError('PROTOCOL_MISMATCH', `${err.message}; the running daemon is from another version: run \`framepack daemon restart\``, { ...(err.detail ? { detail: err.detail } : {}) });
    }
    throw err;
  }
}

export interface SpawnExit {
  code: number | null;
  signal: string | null;
}

/** Start the daemon detached; it outlives this process. onExit hears of it if it dies while we still run. */
export function spawnDetached(cmd: DaemonCommand, logFile?: string, onExit?: (exit: SpawnExit) => void): number | undefined {
  let fd: number | 'ignore' = 'ignore';
  if (logFile) {
    // The log holds prompts and paths: private (issue 15 item 12).
    mkdirSync(path.dirname(logFile), { recursive: true, mode: 0o700 });
    fd = openSync(logFile, 'a', 0o600);
  }
  try {
    const child = spawn(cmd.command, cmd.args, { detached: true, stdio: ['ignore', fd, fd], env: cmd.env ?? process.env, ...(cmd.cwd ? { cwd: cmd.cwd } : {}) });
    child.once('exit', (code, signal) => onExit?.({ code, signal }));
    child.once('error', (err) => onExit?.({ code: null, signal: `a failed spawn (${err.message})` }));
    child.unref();
    return child.pid;
  } finally {
    if (typeof fd === 'number') closeSync(fd);
  }
}

/** A file's size in bytes, 0 when it does not exist (where a log stood before a daemon was spawned). */
export function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** The log's text from `offset` on (what the spawned daemon wrote), at most its last 64 KiB: the log may be huge. */
export function readFrom(file: string, offset: number): string {
  let fd: number | null = null;
  try {
    fd = openSync(file, 'r');
    const size = fstatSync(fd).size;
    const start = Math.max(offset, size - 65_536);
    const buffer = Buffer.alloc(Math.max(0, size - start));
    const n = readSync(fd, buffer, 0, buffer.length, start);
    return buffer.subarray(0, n).toString('utf8');
  } catch {
    return '';
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

export async function ensureDaemon(o: EnsureDaemonOptions): Promise<EnsuredDaemon> {
  const existing = await tryConnect(o);
  if (existing) return { client: existing, started: false };
  if (!o.spawn) throw Object.assign(new Error(`the framepack daemon is not running (no socket at ${o.socketFile}); start it with \`framepack daemon start\``), { code: 'ENOENT' });
  const logOffset = o.logFile ? fileSize(o.logFile) : 0;
  const spawnedAtMs = Date.now();
  let exit: SpawnExit | null = null;
  spawnDetached(o.spawn, o.logFile, (e) => { exit = e; });
  const deadline = Date.now() + (o.startTimeoutMs ?? DAEMON_START_TIMEOUT_MS);
  for (;;) {
    await new Promise((r) => setTimeout(r, POLL_INTERVAL_MS));
    const client = await tryConnect(o);
    if (client) return { client, started: true };
    // Died while starting: say why at once (its log says), not after the timeout. Exit 3 lost a
    // start race to another daemon, which will answer: keep polling.
    const died = exit as SpawnExit | null;
    if (died && died.code !== EXIT_ALREADY_RUNNING) {
      const reason = readStartFailureNote(o.socketFile, spawnedAtMs) ?? (o.logFile ? startFailureReason(readFrom(o.logFile, logOffset)) : null);
      throw new Error(startFailureMessage(died, reason, o.logFile));
    }
    if (Date.now() > deadline) {
      throw new Error(`the daemon did not answer within ${o.startTimeoutMs ?? DAEMON_START_TIMEOUT_MS} ms${o.logFile ? `; see ${o.logFile}` : ''}`);
    }
  }
}
