// Why a freshly spawned daemon died before answering (issue 15 item 10): the reason is in what it
// wrote to its log since the spawn — its own one-line `framepack daemon: <reason>` on stderr when it
// refused to start, an error record, or a Node stack for a crash. Pure: text in, one line out.

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
