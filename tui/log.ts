// The dashboard's log: lines appended to <data dir>/tui.log. The dashboard never writes to the
// terminal outside Ink, so anything worth keeping (connection changes, errors, stray console
// output) goes here.
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

export type TuiLog = (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;

export function createFileLog(file: string): TuiLog {
  try {
    mkdirSync(path.dirname(file), { recursive: true });
  } catch {
    // An unwritable log folder must not stop the dashboard; lines are then dropped.
  }
  return (level, message) => {
    try {
      appendFileSync(file, `${JSON.stringify({ time: new Date().toISOString(), level, pid: process.pid, msg: message })}\n`);
    } catch {
      // Same: never let logging take the UI down.
    }
  };
}

/** Route console.* into the log so a stray call cannot corrupt Ink's frame. */
export function captureConsole(log: TuiLog): void {
  const route = (level: 'info' | 'warn' | 'error') => (...args: unknown[]) => log(level, args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
  console.log = route('info');
  console.info = route('info');
  console.warn = route('warn');
  console.error = route('error');
  console.debug = route('info');
}
