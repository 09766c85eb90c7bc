// Why a freshly spawned daemon died before answering (issue 15 item 10): the reason is in what it
// wrote to its log since the spawn — its own one-line `framepack daemon: <reason>` on stderr when it
// refused to start, an error record, or a Node stack for a crash. When the data dir is full the
// log cannot take that line, so the daemon also leaves it as a note in the runtime dir (another
// file system as a rule: $XDG_RUNTIME_DIR is a tmpfs), which is read first.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** Exit code of a daemon that found another one already listening (a lost start race: not a failure). */
export const EXIT_ALREADY_RUNNING = 3;

const OWN_PREFIX = 'framepack daemon: ';

export function startFailureReason(logText: string): string | null {
  const lines = logText.split('\n').map((l) => l.trimEnd()).filter((l) => l.trim() !== '');
  const own = lines.filter((l) => l.startsWith(OWN_PREFIX)).at(-1);
  if (own) return own.slice(OWN_PREFIX.length);
  for (const line of [...lines].reverse()) {
    if (!line.startsWith('{')) continue;
    try {
      const r = JSON.parse(line) as { level?: string; msg?: string; error?: unknown };
      if (r.level === 'error' && r.msg) return typeof r.error === 'string' ? `${r.msg}: ${r.error.split('\n')[0]}` : r.msg;
    } catch {
      // not a log record
    }
  }
  // An uncaught exception: Node prints the stack with the `SomeError: message` line in it.
  const thrown = lines.find((l) => /^\s*(?:Uncaught )?[A-Z][A-Za-z]*Error\b.*:/.test(l));
  if (thrown) return thrown.trim();
  return lines.length > 0 ? lines.slice(-3).join(' | ') : null;
}

export function startFailureMessage(exit: { code: number | null; signal: string | null }, reason: string | null, logFile?: string): string {
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
  return `the daemon ${how} while starting: ${reason ?? 'it wrote no reason'}${logFile ? ` (log: ${logFile})` : ''}`;
}

/** The note a daemon leaves beside its socket when it refuses to start (one line). */
export const START_FAILURE_NOTE = 'start-failure.txt';

export function startFailureNotePath(socketFile: string): string {
  return path.join(path.dirname(socketFile), START_FAILURE_NOTE);
}

/** The note's line when it was written at or after `sinceMs` (older ones are another start's). */
export function readStartFailureNote(socketFile: string, sinceMs: number): string | null {
  const file = startFailureNotePath(socketFile);
  try {
    if (statSync(file).mtimeMs < sinceMs - 1_000) return null;
    const text = readFileSync(file, 'utf8').trim();
    return text === '' ? null : text;
  } catch {
    return null;
  }
}
