// One daemon per data dir (issue 15 item 5). The socket's start lock only serialises daemons of one
// runtime dir; two daemons with different runtime dirs and one data dir would both run the
// journal's jobs. So the daemon also holds <data dir>/daemon.lock for its whole life: JSON with
// its pid and socket, created whole (written to a private temp file, then hard-linked into place,
// which fails if a lock exists). A lock whose pid is gone — or is no framepack daemon any more
// (a reused pid), or is this very process (a restarted container) — is stale and taken over.
import { linkSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../log.js';
import { pidAlive } from './claim-instance.js';

export const DATA_DIR_LOCK_FILE = 'daemon.lock';
const TAKEOVER_ATTEMPTS = 5;

export interface DataDirHolder {
  pid: number;
  socketPath: string;
  startedAt: string;
}

/** A live daemon holds the data dir; the message names it and the ways out. */
export class DataDirInUseError extends Error {
  override readonly name = 'DataDirInUseError';
  constructor(readonly dataDir: string, readonly holder: DataDirHolder, readonly lockFile: string) {
    super(
      `the data dir ${dataDir} is in use by another framepack daemon (pid ${holder.pid}, socket ${holder.socketPath}, since ${holder.startedAt}); ` +
        `stop it (FRAMEPACK_RUNTIME_DIR=${path.dirname(holder.socketPath)} framepack daemon stop) or give this daemon another FRAMEPACK_DATA_DIR. ` +
        `If no framepack daemon has pid ${holder.pid}, delete ${lockFile}`,
    );
  }
}

export interface DataDirLock {
  readonly file: string;
  /** Remove the lock if it is still ours. */
  release(): void;
}

function readHolder(file: string): DataDirHolder | null {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as Partial<DataDirHolder>;
    if (typeof v.pid !== 'number' || typeof v.socketPath !== 'string') return null;
    return { pid: v.pid, socketPath: v.socketPath, startedAt: typeof v.startedAt === 'string' ? v.startedAt : 'an unknown time' };
  } catch {
    return null;
  }
}

/** Linux: whether the process still looks like a framepack daemon (else its pid was reused). Elsewhere: assume so. */
function looksLikeDaemon(pid: number): boolean {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return /framepack|daemon[/\\]main\.ts/.test(cmdline);
  } catch (err: unknown) {
    return (err as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

/** Whether a lock's holder can no longer be running a daemon on this data dir. */
export function holderGone(holder: DataDirHolder | null, selfPid = process.pid): boolean {
  if (!holder) return true; // unreadable: written whole by link(), so it is no lock of ours
  if (holder.pid === selfPid) return true;
  return !pidAlive(holder.pid) || !looksLikeDaemon(holder.pid);
}

/** The lock could not be written at all: say so, where, and the fix (a full disk above all). */
function lockWriteError(file: string, err: unknown): Error {
  const e = err as NodeJS.ErrnoException;
  const dir = path.dirname(file);
  if (e.code === 'ENOSPC' || e.code === 'EDQUOT') return new Error(`disk full: cannot write the data dir lock ${file} (${e.code}); free space in ${dir} and start again`);
  return new Error(`cannot write the data dir lock ${file} (${e.code ?? 'error'}: ${e.message}); make ${dir} writable for your user, or set FRAMEPACK_DATA_DIR to another folder`);
}

export function lockDataDir(dataDir: string, socketPath: string, log: Logger): DataDirLock {
  try {
    return takeLock(dataDir, socketPath, log);
  } catch (err: unknown) {
    if (err instanceof DataDirInUseError) throw err;
    throw lockWriteError(path.join(dataDir, DATA_DIR_LOCK_FILE), err);
  }
}

function takeLock(dataDir: string, socketPath: string, log: Logger): DataDirLock {
  const file = path.join(dataDir, DATA_DIR_LOCK_FILE);
  const mine: DataDirHolder = { pid: process.pid, socketPath, startedAt: new Date().toISOString() };
  const text = `${JSON.stringify(mine)}\n`;
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, text, { mode: 0o600 });
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(tmp, file);
        break;
      } catch (err: unknown) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      let seen: string;
      try {
        seen = readFileSync(file, 'utf8');
      } catch {
        continue; // released between our link and our read
      }
      const holder = readHolder(file);
      if (!holderGone(holder) || attempt >= TAKEOVER_ATTEMPTS) throw new DataDirInUseError(dataDir, holder ?? { pid: 0, socketPath: 'unknown', startedAt: 'an unknown time' }, file);
      // Remove only the lock we judged stale: another starter may have just replaced it.
      try {
        if (readFileSync(file, 'utf8') === seen) {
          log.warn('taking over a stale data dir lock (its daemon is gone)', { lock: file, pid: holder?.pid ?? null, socket: holder?.socketPath ?? null });
          unlinkSync(file);
        }
      } catch {
        // gone already: try again
      }
    }
  } finally {
    rmSync(tmp, { force: true });
  }
  return {
    file,
    release() {
      try {
        if (readFileSync(file, 'utf8') === text) unlinkSync(file);
      } catch {
        // already gone
      }
    },
  };
}
