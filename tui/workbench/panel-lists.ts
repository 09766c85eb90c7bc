// The panel's lists as pure functions (issue 16 item 9): which Logs lines a scroll position shows
// (counted from the newest, so 0 follows new lines as they arrive), how a key moves it, and the
// Problems entries — each failed job one entry that Enter opens.
export interface ProblemItem {
  text: string;
  level: 'ok' | 'info' | 'muted' | 'warn' | 'error';
  /** A failed job's id: Enter opens it. */
  jobId?: string;
}

/** [start, end) of `total` lines for a view of `rows` rows scrolled `fromBottom` lines up from the newest. */
export function logWindow(total: number, rows: number, fromBottom: number): [number, number] {
  const end = Math.max(0, total - Math.min(fromBottom, Math.max(0, total - rows)));
  return [Math.max(0, end - rows), end];
}

/** The new scroll position after a key, or null when the key is not a scroll key. */
export function scrollLogs(fromBottom: number, chord: string, total: number, rows: number): number | null {
  const max = Math.max(0, total - rows);
  const clamp = (v: number) => Math.min(Math.max(v, 0), max);
  const at = Math.min(fromBottom, max);
  if (chord === 'up' || chord === 'k') return clamp(at + 1);
  if (chord === 'down' || chord === 'j') return clamp(at - 1);
  if (chord === 'pageup') return clamp(at + rows - 1);
  if (chord === 'pagedown') return clamp(at - rows + 1);
  if (chord === 'home') return max;
  if (chord === 'end') return 0;
  return null;
}

/** Selection after ↑↓ (j k) Home End in a list of `count`, or null for another key. */
export function moveSelection(selected: number, chord: string, count: number): number | null {
  const clamp = (v: number) => Math.min(Math.max(v, 0), Math.max(0, count - 1));
  if (chord === 'up' || chord === 'k') return clamp(selected - 1);
  if (chord === 'down' || chord === 'j') return clamp(selected + 1);
  if (chord === 'home') return 0;
  if (chord === 'end') return clamp(count - 1);
  return null;
}
