// Why the daemon is not answering, in one line for the dashboard's banner (issue 16 item 3): the
// note a daemon that refused to start leaves beside its socket wins (it is written even when the
// data dir is full), else what its log says last (its own refusal line, an error record, a Node
// stack: shared/ipc/start-failure.ts reads those), else the last record it logged, so a daemon
// killed with SIGKILL — which writes nothing — is shown with the last thing it did. Pure: the
// caller reads the files (daemon-log-tail.ts).
import { startFailureReason } from '../../shared/ipc/start-failure.js';

export interface DaemonDownFacts {
  /** The daemon's pid when we were connected (null: never connected). */
  pid: number | null;
  /** Whether that pid is still a live process. */
  pidAlive: boolean;
  /** start-failure.txt beside the socket, when recent. */
  note: string | null;
  /** The last bytes of daemon.log. */
  logTail: string;
}

/** The message of the last JSON log record (`{"level":…,"msg":…}`), or the last plain line. */
function lastRecord(logTail: string): string | null {
  const lines = logTail.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const last = lines.at(-1);
  if (!last) return null;
  if (!last.startsWith('{')) return last;
  try {
    const r = JSON.parse(last) as { level?: string; msg?: string };
    return r.msg ? `${r.level ?? 'info'} ${r.msg}` : last;
  } catch {
    return last;
  }
}

/** True when the log's tail says something a user must read (not just the last routine record). */
function tellingReason(logTail: string): string | null {
  const reason = startFailureReason(logTail);
  if (reason === null) return null;
  // startFailureReason falls back to "the last three lines joined"; that is not a reason.
  const lines = logTail.split('\n').map((l) => l.trimEnd()).filter((l) => l.trim() !== '');
  return reason === lines.slice(-3).join(' | ') ? null : reason;
}

export function describeDaemonDown(f: DaemonDownFacts): string {
  const who = f.pid === null ? 'the daemon is not running' : f.pidAlive ? `the daemon (pid ${f.pid}) does not answer` : `the daemon (pid ${f.pid}) is gone`;
  if (f.note) return `${who}: ${f.note}`;
  const telling = tellingReason(f.logTail);
  if (telling) return `${who}: ${telling}`;
  const last = lastRecord(f.logTail);
  return last ? `${who}; its log ends: ${last}` : `${who}; its log is empty`;
}
