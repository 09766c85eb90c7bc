// Small formatters shared by the daemon-facing commands (ps, load, daemon status).

export function formatBytes(bytes: number): string {
  if (bytes <= 0) return '0 B';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  const i = Math.min(units.length - 1, Math.floor(Math.log(bytes) / Math.log(1024)));
  return `${(bytes / 1024 ** i).toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

/** "in 4 minutes" / "Forever" / "now" — ollama's UNTIL column. */
export function formatUntil(expiresAt: string | null, keepAliveMs: number, leases: number, nowMs = Date.now()): string {
  if (leases > 0) return 'in use';
  if (keepAliveMs < 0) return 'Forever';
  if (expiresAt === null) return 'Stopping…';
  const s = Math.max(0, Math.round((Date.parse(expiresAt) - nowMs) / 1000));
  if (s < 60) return `${s} seconds from now`;
  const m = Math.round(s / 60);
  return m < 120 ? `${m} minute${m === 1 ? '' : 's'} from now` : `${Math.round(m / 60)} hours from now`;
}

/** Left-aligned columns separated by two spaces. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n');
}
