// The file reads behind the banner's reason (daemon-down.ts): the tail of daemon.log, the start-
// failure note beside the socket, and whether the daemon's pid is still alive.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { readStartFailureNote } from '../../shared/ipc/start-failure.js';
import { describeDaemonDown } from './daemon-down.js';

const TAIL_BYTES = 16_384;

export function readTail(file: string, bytes = TAIL_BYTES): string {
  let fd: number | null = null;
  try {
    fd = openSync(file, 'r');
    const size = fstatSync(fd).size;
    const start = Math.max(0, size - bytes);
    const buffer = Buffer.alloc(size - start);
    const n = readSync(fd, buffer, 0, buffer.length, start);
    const text = buffer.subarray(0, n).toString('utf8');
    // Drop a partial first line when we started mid-file.
    return start > 0 ? text.slice(text.indexOf('\n') + 1) : text;
  } catch {
    return '';
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err: unknown) {
    // EPERM: alive but not ours.
    return (err as { code?: string }).code === 'EPERM';
  }
}

/** The banner's one line for a daemon that does not answer; `sinceMs` dates the start-failure note. */
export function daemonDownReason(paths: { socketFile: string; daemonLogFile: string }, pid: number | null, sinceMs: number): string {
  return describeDaemonDown({
    pid,
    pidAlive: pid !== null && isAlive(pid),
    note: readStartFailureNote(paths.socketFile, sinceMs),
    logTail: readTail(paths.daemonLogFile),
  });
}
