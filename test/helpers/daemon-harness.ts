// Spawns the REAL daemon (daemon/main.ts under the repository's Node with tsx) on a temp runtime
// dir and data dir, with the fake engine unless told otherwise, and connects RpcClients to it.
// kill() sends any signal (SIGKILL for crash tests); restart() starts a new process on the same dirs.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connectNodeIpc } from '../../shared/ipc/node-ipc-transport.js';
import { RpcClient } from '../../shared/ipc/rpc-client.js';
import type { EventMessage } from '../../shared/protocol/index.js';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

export interface DaemonProcess {
  base: string;
  runtimeDir: string;
  dataDir: string;
  socketFile: string;
  env: NodeJS.ProcessEnv;
  child: ChildProcess;
  /** stderr + stdout of the current process. */
  output(): string;
  /** Resolves with the exit code (or the signal name). */
  exited: Promise<number | string>;
  client(name?: string): Promise<RpcClient>;
  kill(signal?: NodeJS.Signals): Promise<number | string>;
  restart(extraEnv?: NodeJS.ProcessEnv): Promise<DaemonProcess>;
  /** A small PNG-named input file. */
  image(): string;
  cleanup(): Promise<void>;
}

const READY_TIMEOUT_MS = 20_000;

/** Base dirs short enough for sun_path. */
export function tempBase(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'fpd-'));
}

export function daemonEnv(base: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    FRAMEPACK_RUNTIME_DIR: path.join(base, 'rt'),
    FRAMEPACK_DATA_DIR: path.join(base, 'data'),
    FRAMEPACK_ENGINE: 'fake',
    FRAMEPACK_FAKE_STEP_MS: '5',
    FRAMEPACK_FAKE_LOAD_MS: '1',
    FRAMEPACK_DEVICE_MEMORY: '80',
    ...extra,
  };
}

export async function connectClient(socketFile: string, name = 'test'): Promise<RpcClient> {
  const client = new RpcClient({ connect: () => connectNodeIpc(socketFile, { connectTimeoutMs: 2_000 }), client: { name }, requestTimeoutMs: 20_000 });
  await client.connect();
  return client;
}

async function waitReady(socketFile: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`daemon exited early (${child.exitCode ?? child.signalCode}):\n${output()}`);
    try {
      const c = await connectClient(socketFile, 'probe');
      c.close();
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`daemon not ready after ${READY_TIMEOUT_MS} ms:\n${output()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** Spawn a daemon process without waiting for it. */
export function spawnDaemon(env: NodeJS.ProcessEnv, args: string[] = []): { child: ChildProcess; output: () => string; exited: Promise<number | string> } {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'daemon/main.ts'), ...args], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  child.stderr!.on('data', (d) => (out += String(d)));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return { child, output: () => out, exited };
}

export async function startDaemon(options: { base?: string; env?: NodeJS.ProcessEnv; args?: string[] } = {}): Promise<DaemonProcess> {
  const base = options.base ?? tempBase();
  const env = daemonEnv(base, options.env);
  const runtimeDir = env.FRAMEPACK_RUNTIME_DIR!;
  const dataDir = env.FRAMEPACK_DATA_DIR!;
  const socketFile = path.join(runtimeDir, 'fp.sock');
  const { child, output, exited } = spawnDaemon(env, options.args);
  const clients: RpcClient[] = [];
  const d: DaemonProcess = {
    base, runtimeDir, dataDir, socketFile, env, child, output, exited,
    async client(name = 'test') {
      const c = await connectClient(socketFile, name);
      clients.push(c);
      return c;
    },
    async kill(signal = 'SIGTERM') {
      for (const c of clients.splice(0)) c.close();
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
    async restart(extraEnv = {}) {
      await d.kill('SIGTERM');
      return startDaemon({ base, env: { ...options.env, ...extraEnv }, ...(options.args ? { args: options.args } : {}) });
    },
    image() {
      const file = path.join(base, 'in.png');
      writeFileSync(file, Buffer.from('89504e470d0a1a0a', 'hex'));
      return file;
    },
    async cleanup() {
      await d.kill('SIGKILL');
      // A child the daemon started (ffmpeg) can outlive a SIGKILL by a moment and still be writing
      // into the data dir: rm retries on ENOTEMPTY instead of leaving the folder behind.
      rmSync(base, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    },
  };
  mkdirSync(dataDir, { recursive: true });
  try {
    await waitReady(socketFile, child, output);
  } catch (err: unknown) {
    // The caller never gets `d`, so nobody else could remove what this start created.
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    if (!options.base) rmSync(base, { recursive: true, force: true });
    throw err;
  }
  return d;
}

/** Collect every event of a subscription; until() waits for a predicate on the events so far. */
export async function collectEvents(client: RpcClient, params: { jobId?: string } = {}) {
  const events: EventMessage[] = [];
  let wake: (() => void) | null = null;
  const sub = await client.subscribe(params, { onEvent: (e) => { events.push(e); wake?.(); } });
  return {
    events,
    sub,
    async until(pred: (events: EventMessage[]) => boolean, timeoutMs = 15_000): Promise<EventMessage[]> {
      const deadline = Date.now() + timeoutMs;
      while (!pred(events)) {
        if (Date.now() > deadline) throw new Error(`timed out; events so far: ${events.map((e) => e.event).join(', ')}`);
        await new Promise<void>((r) => { wake = r; setTimeout(r, 50); });
      }
      return events;
    },
  };
}

/** Terminal events of one job. */
export function terminalsOf(events: readonly EventMessage[], jobId: string): EventMessage[] {
  return events.filter((e) => (e.event === 'job.succeeded' || e.event === 'job.failed' || e.event === 'job.cancelled') && e.payload.jobId === jobId);
}

export function readLog(d: DaemonProcess): string {
  try {
    return readFileSync(path.join(d.dataDir, 'daemon.log'), 'utf8');
  } catch {
    return '';
  }
}

/**
 * SIGKILL every process whose environment points at `base` (Linux /proc): daemons spawned
 * detached by ensureDaemon, including a late starter that would otherwise take over the socket
 * once the winner is gone.
 */
export function killDaemonsUnder(base: string): number {
  let killed = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const env = readFileSync(`/proc/${entry}/environ`, 'utf8');
      if (env.includes(`FRAMEPACK_RUNTIME_DIR=${path.join(base, 'rt')}\0`)) {
        process.kill(Number(entry), 'SIGKILL');
        killed++;
      }
    } catch {
      // gone, or not ours
    }
  }
  return killed;
}
