// The Logs panel's model: the newest daemon `log` events in a bounded ring (pure), plus the TUI's
// own notices (connection changes, protocol problems) so both read in one place.
import type { EventPayload } from '../../shared/protocol/index.js';

export type LogLine = EventPayload<'log'>;

/** Lines kept; older ones drop off (the full log is in <data dir>/daemon.log). */
export const MAX_LOG_LINES = 500;

export function appendLog(lines: readonly LogLine[], line: LogLine, max = MAX_LOG_LINES): LogLine[] {
  const next = lines.length >= max ? lines.slice(lines.length - max + 1) : lines.slice();
  next.push(line);
  return next;
}

/** Fields worth a glance in one line (the rest stays in the log file). */
const SHOWN_FIELDS = ['jobId', 'model', 'component', 'reason', 'error'] as const;

/** One display line: "03:12:04 info  residency loaded component=vae model=tiny". */
export function formatLogLine(l: LogLine): string {
  const time = l.time.slice(11, 19);
  const extra = SHOWN_FIELDS.filter((k) => typeof l.fields?.[k] === 'string' || typeof l.fields?.[k] === 'number')
    .map((k) => `${k}=${String(l.fields![k]).split('\n')[0]}`)
    .join(' ');
  return `${time} ${l.level.padEnd(5)} ${l.scope.padEnd(9)} ${l.message}${extra ? ` ${extra}` : ''}`;
}
