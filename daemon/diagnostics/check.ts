// The shape every doctor check reports (docs/doctor.md): a stable id, ok / warn / fail, one line
// saying what was found, and one line saying what to do about it (empty when there is nothing to
// do). `details` carries the measured values for `--json` and the daemon's Diagnostics view.

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface Check {
  /** Stable, dotted: 'node.version', 'ort.ep.cuda', 'gpu.0', 'bundle.framepack-tiny', … */
  id: string;
  status: CheckStatus;
  /** One line: what was found. */
  finding: string;
  /** One line the user can act on; '' when status is ok. */
  fix: string;
  details?: Record<string, unknown>;
}

export const ok = (id: string, finding: string, details?: Record<string, unknown>): Check => ({ id, status: 'ok', finding, fix: '', ...(details ? { details } : {}) });
export const warn = (id: string, finding: string, fix: string, details?: Record<string, unknown>): Check => ({ id, status: 'warn', finding, fix, ...(details ? { details } : {}) });
export const fail = (id: string, finding: string, fix: string, details?: Record<string, unknown>): Check => ({ id, status: 'fail', finding, fix, ...(details ? { details } : {}) });

/** First line of an error's message. */
export const errorLine = (err: unknown): string => (err instanceof Error ? err.message : String(err)).split('\n')[0]!.trim();

export const GiB = 1024 ** 3;
export const MiB = 1024 ** 2;
export const gib = (bytes: number): string => `${(bytes / GiB).toFixed(bytes < 10 * GiB ? 2 : 1)} GiB`;

/** Worst status of a list (fail > warn > ok). */
export function worst(checks: readonly Check[]): CheckStatus {
  if (checks.some((c) => c.status === 'fail')) return 'fail';
  if (checks.some((c) => c.status === 'warn')) return 'warn';
  return 'ok';
}
