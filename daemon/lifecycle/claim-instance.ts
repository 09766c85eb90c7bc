// Claiming the socket (STYLE.md §3.3 conv. 6, nx's start-lock.ts): an O_EXCL start lock holding
// our pid so two starts never race, then the stale-socket routine — probe the socket; if a daemon
// accepts, it is live and is never stolen; if the connection is refused (or the path is not a
// socket), the file is a dead daemon's leftover and is unlinked. The lock is released once we
// listen (from then on the socket itself marks the instance).
import { closeSync, lstatSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { ensureRuntimeDir } from '../../shared/ipc/socket-path.js';
import type { Logger } from '../log.js';

/** How long a second start waits for the first one to finish starting. */
export const START_LOCK_TIMEOUT_MS = 30_000;
/** A lock older than this is abandoned even if its pid looks alive (the pid may have been reused). */
export const START_LOCK_MAX_AGE_MS = 5 * 60_000;
const START_LOCK_POLL_MS = 50;
const PROBE_TIMEOUT_MS = 2_000;

export class AlreadyRunningError extends Error {
  override readonly name = 'AlreadyRunningError';
  constructor(readonly socketFile: string) {
    super(`a daemon is already listening on ${socketFile}`);
  }
}

export interface Claim {
  /** Remove the start lock (after listening, or on a failed start). */
  release(): void;
}

/** Whether a process with this pid exists (EPERM means it exists but is not ours: alive). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err: unknown) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** 'accepting' = a live daemon; 'refused' = a stale socket file; 'absent' = nothing there. */
export function probeSocket(socketFile: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<'accepting' | 'refused' | 'absent'> {
  return new Promise((resolve) => {
    const socket = net.connect(socketFile);
    const done = (result: 'accepting' | 'refused' | 'absent') => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    // A daemon too busy to accept within the timeout is still alive: never treat it as stale.
    const timer = setTimeout(() => done('accepting'), timeoutMs);
    socket.once('connect', () => done('accepting'));
    socket.once('error', (err: NodeJS.ErrnoException) => {
      // ENOENT: no file. ECONNREFUSED: a socket file nobody listens on. ENOTSOCK: a plain file.
      done(err.code === 'ENOENT' ? 'absent' : err.code === 'ECONNREFUSED' || err.code === 'ENOTSOCK' ? 'refused' : 'accepting');
    });
  });
}

function lockFile(socketFile: string): string {
  return `${socketFile}.lock`;
}

/** Try once to create the lock; false when someone else holds it. */
function tryLock(file: string): boolean {
  try {
    const fd = openSync(file, 'wx', 0o600);
    writeSync(fd, String(process.pid));
    closeSync(fd);
    return true;
  } catch (err: unknown) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

/** A lock whose holder died, or that is too old, is abandoned. */
function lockAbandoned(file: string, log: Logger): boolean {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    const ageMs = Date.now() - statSync(file).mtimeMs;
    if (!pidAlive(pid) || ageMs > START_LOCK_MAX_AGE_MS) {
      log.warn('removing an abandoned start lock', { lock: file, pid, ageMs: Math.round(ageMs) });
      unlinkSync(file);
      return true;
    }
    return false;
  } catch (err: unknown) {
    // ENOENT: released between our open and our read; try again at once.
    return (err as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

export async function claimInstance(socketFile: string, log: Logger, timeoutMs = START_LOCK_TIMEOUT_MS): Promise<Claim> {
  ensureRuntimeDir(path.dirname(socketFile));
  const lock = lockFile(socketFile);
  const deadline = Date.now() + timeoutMs;
  while (!tryLock(lock)) {
    if (lockAbandoned(lock, log)) continue;
    if (Date.now() > deadline) throw new Error(`another daemon has been starting for ${timeoutMs} ms (lock ${lock}); remove the lock if no framepack daemon is running`);
    await new Promise((r) => setTimeout(r, START_LOCK_POLL_MS));
  }
  const release = () => {
    try {
      if (readFileSync(lock, 'utf8').trim() === String(process.pid)) unlinkSync(lock);
    } catch {
      // already gone
    }
  };
  try {
    const state = await probeSocket(socketFile);
    if (state === 'accepting') throw new AlreadyRunningError(socketFile);
    if (state === 'refused') {
      const kind = lstatSync(socketFile).isSocket() ? 'socket' : 'file';
      log.warn('removing a stale socket (connection refused: its daemon is gone)', { socket: socketFile, kind });
      unlinkSync(socketFile);
    }
  } catch (err: unknown) {
    release();
    throw err;
  }
  return { release };
}
